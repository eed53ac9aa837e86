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

const clientContextKey contextKey = iota + 1

// NewContextWithClient returns a context that carries an authenticated API
// client. The Service lets it act only within its scopes (ClientPolicy).
func NewContextWithClient(ctx context.Context, c *APIClient) context.Context {
	return context.WithValue(ctx, clientContextKey, c)
}

// ClientFromContext returns the API client in ctx, or nil.
func ClientFromContext(ctx context.Context) *APIClient {
	c, _ := ctx.Value(clientContextKey).(*APIClient)
	return c
}

// actingClient returns the API client ctx acts as: the client in ctx, unless
// an operator is in it too, who is then the one authorize lets act.
func actingClient(ctx context.Context) *APIClient {
	if OperatorFromContext(ctx) != nil {
		return nil
	}
	return ClientFromContext(ctx)
}
