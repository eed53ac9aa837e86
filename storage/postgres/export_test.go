package postgres

// CustomerKeyQuery lets the plan test explain the query the store runs.
const CustomerKeyQuery = customerKeyQuery
