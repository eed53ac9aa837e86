package core

import "context"

type contextKey int

const operatorContextKey contextKey = iota

// NewContextWithOperator returns a context that carries the logged-in operator.
func NewContextWithOperator(ctx context.Context, op *Operator) context.Context {
	return context.WithValue(ctx, operatorContextKey, op)
}

// OperatorFromContext returns the operator in ctx, or nil.
func OperatorFromContext(ctx context.Context) *Operator {
	op, _ := ctx.Value(operatorContextKey).(*Operator)
	return op
}
