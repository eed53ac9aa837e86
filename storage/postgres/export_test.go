package postgres

// CustomerKeyQuery lets the plan test explain the query the store runs.
const CustomerKeyQuery = customerKeyQuery

// PipelinedTx lets a test hand the store a transaction that misbehaves.
var PipelinedTx = (*Store).pipelinedTx
