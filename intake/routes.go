package intake

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"depositdesk/core"
)

// DepositRequest is the body of POST /v1/deposit-requests. Every field is
// a string where the value is text to the desk, amounts above all: a JSON
// number would pass through a float.
type DepositRequest struct {
	CustomerNo        string `json:"customer_no" minLength:"1" maxLength:"32" example:"C10001"`
	SecuritiesAccount string `json:"securities_account" minLength:"1" maxLength:"32" example:"SA-20001"`
	Asset             string `json:"asset" minLength:"1" maxLength:"12" example:"BTC" doc:"Asset symbol as configured on the desk."`
	Network           string `json:"network" minLength:"1" maxLength:"20" example:"mainnet"`
	Amount            string `json:"amount" minLength:"1" maxLength:"100" pattern:"^[0-9]+(\\.[0-9]+)?$" example:"0.015" doc:"Decimal string in the asset's units; at most the asset's decimals."`
	SourceAddress     string `json:"source_address" minLength:"1" maxLength:"100" doc:"The customer's wallet address the deposit is sent from."`
	TxID              string `json:"txid,omitempty" maxLength:"66" doc:"Transaction hash, if already known; otherwise attach it later with PATCH."`
	TxIndex           int    `json:"tx_index,omitempty" minimum:"0" maximum:"1000000" doc:"Output (Bitcoin) or log (ERC-20) index within the transaction."`
	ClientRequestID   string `json:"client_request_id,omitempty" maxLength:"100" doc:"The client's id of the request; must equal the Idempotency-Key header when given."`
}

// TxAttachment is the body of PATCH /v1/deposit-requests/{recordNo}.
type TxAttachment struct {
	TxID    string `json:"txid" minLength:"1" maxLength:"66" doc:"Transaction hash: 64 hex digits, 0x-prefixed on Ethereum."`
	TxIndex int    `json:"tx_index,omitempty" minimum:"0" maximum:"1000000"`
}

// DepositRequestView is what the API shows of a record.
type DepositRequestView struct {
	RecordNo              string    `json:"record_no" example:"D20261125-000123"`
	ClientRequestID       string    `json:"client_request_id" doc:"The Idempotency-Key the request was created with."`
	CustomerNo            string    `json:"customer_no"`
	SecuritiesAccount     string    `json:"securities_account"`
	Asset                 string    `json:"asset"`
	Network               string    `json:"network"`
	Amount                string    `json:"amount" doc:"Decimal string in the asset's units."`
	SourceAddress         string    `json:"source_address"`
	DestinationAddress    string    `json:"destination_address" doc:"The desk's address to send the deposit to."`
	TxID                  string    `json:"txid" doc:"Empty until known."`
	TxIndex               int       `json:"tx_index"`
	Status                string    `json:"status" enum:"verifying_address,confirming,held_for_review,credited,refunding,refunded,cancelled,deleted,rejected"`
	StatusText            string    `json:"status_text" example:"Wallet Address Under Verification"`
	Confirmations         int       `json:"confirmations"`
	ConfirmationsRequired int       `json:"confirmations_required"`
	RequestedAt           time.Time `json:"requested_at"`
	CreatedAt             time.Time `json:"created_at"`
	UpdatedAt             time.Time `json:"updated_at"`
}

type createInput struct {
	IdempotencyKey string `header:"Idempotency-Key" required:"true" minLength:"1" maxLength:"100" doc:"The client's unique key of this request; a retry with the same key and body returns the same record."`
	Body           DepositRequest
}

type recordInput struct {
	RecordNo string `path:"recordNo" maxLength:"32" example:"D20261125-000123"`
}

type attachInput struct {
	RecordNo string `path:"recordNo" maxLength:"32" example:"D20261125-000123"`
	Body     TxAttachment
}

type viewOutput struct {
	Status int
	Body   DepositRequestView
}

type depositAddressInput struct {
	Customer string `query:"customer" required:"true" minLength:"1" maxLength:"32" example:"C10001" doc:"Customer number."`
	Asset    string `query:"asset" required:"true" minLength:"1" maxLength:"12" example:"BTC" doc:"Asset symbol as configured on the desk."`
	Network  string `query:"network" maxLength:"20" example:"mainnet" doc:"Needed when the symbol is configured on several networks."`
}

// DepositAddressView is where a customer sends deposits of an asset.
type DepositAddressView struct {
	CustomerNo string `json:"customer_no"`
	Asset      string `json:"asset"`
	Network    string `json:"network"`
	Address    string `json:"address" doc:"The customer's own deposit address, derived from the desk's account key; the same for every asset sharing that key."`
}

type depositAddressOutput struct {
	Body DepositAddressView
}

type healthOutput struct {
	Body struct {
		Status string `json:"status" example:"ok"`
		// Nodes is each configured blockchain node's state as this server
		// last saw it: "ok", "refused: …" (it serves another network),
		// "unreachable: …" or "not checked".
		Nodes map[string]string `json:"nodes,omitempty" example:"{\"bitcoin/mainnet\":\"ok\"}"`
	}
}

var problemResponses = []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound,
	http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity, http.StatusTooManyRequests, http.StatusInternalServerError}

func (s *Server) registerRoutes() {
	secured := func(op huma.Operation) huma.Operation {
		op.Security = []map[string][]string{{"bearer": {}}}
		op.Middlewares = huma.Middlewares{s.authenticated(core.ScopeIntake)}
		op.MaxBodyBytes = s.cfg.MaxBodyBytes
		op.Errors = problemResponses
		if op.Tags == nil {
			op.Tags = []string{"Deposit requests"}
		}
		return op
	}
	huma.Register(s.api, secured(huma.Operation{
		OperationID: "create-deposit-request", Method: http.MethodPost, Path: "/v1/deposit-requests",
		Summary:     "Submit a deposit request",
		Description: "Creates a record in Wallet Address Under Verification (201). The same Idempotency-Key with the same body returns that record again (200); with a different body it is 409. A transaction that a live record already holds is 409 too.",
		Responses: map[string]*huma.Response{
			"200": {Description: "The request was already received with this key: the same record."},
		},
		DefaultStatus: http.StatusCreated,
	}), s.createDepositRequest)
	huma.Register(s.api, secured(huma.Operation{
		OperationID: "attach-deposit-txid", Method: http.MethodPatch, Path: "/v1/deposit-requests/{recordNo}",
		Summary:     "Attach the transaction hash to a request",
		Description: "Only while the record is in Wallet Address Under Verification and has no TXID. Sending the same TXID again returns the record; another TXID, or one a live record holds, is 409.",
	}), s.attachTxID)
	huma.Register(s.api, secured(huma.Operation{
		OperationID: "get-deposit-request", Method: http.MethodGet, Path: "/v1/deposit-requests/{recordNo}",
		Summary:     "Read a request's status and confirmations",
		Description: "A client reads only the records it created; any other record number is 404.",
	}), s.getDepositRequest)
	huma.Register(s.api, secured(huma.Operation{
		OperationID: "get-deposit-address", Method: http.MethodGet, Path: "/v1/deposit-addresses",
		Summary:     "The customer's deposit address for an asset",
		Description: "Derived from the asset's account public key on first request and the same ever after; deposit requests of the customer and asset must pay it. A client reads the address only of a customer it has itself submitted a deposit request for; any other customer number, known to the desk or not, is the same 404. For a customer's first deposit, submit the request without a TXID (its answer carries the address) and attach the TXID later with PATCH.",
		Tags:        []string{"Deposit addresses"},
	}), s.getDepositAddress)
	huma.Register(s.api, huma.Operation{
		OperationID: "healthz", Method: http.MethodGet, Path: "/healthz", Summary: "Liveness, and the state of each blockchain node", Tags: []string{"Operations"},
	}, func(context.Context, *struct{}) (*healthOutput, error) {
		out := &healthOutput{}
		out.Body.Status = "ok"
		if s.cfg.NodeStatus != nil {
			out.Body.Nodes = s.cfg.NodeStatus()
		}
		return out, nil
	})
	huma.Register(s.api, huma.Operation{
		OperationID: "metrics", Method: http.MethodGet, Path: "/metrics", Summary: "Prometheus metrics", Tags: []string{"Operations"},
		Description: "Requests, latency, deposit records by status and the chain watcher's lag, in the Prometheus text format. " +
			"Needs a token with the metrics scope (`depositctl client create --name prometheus --scope metrics`). " +
			"Record counts are at most " + recordsMaxAge.String() + " old, so a scrape costs no database work.",
		Security:    []map[string][]string{{"bearer": {}}},
		Middlewares: huma.Middlewares{s.authenticated(core.ScopeMetrics)},
		Errors:      problemResponses,
		Responses: map[string]*huma.Response{
			"200": {Description: "Prometheus text exposition format.", Content: map[string]*huma.MediaType{"text/plain": {}}},
		},
	}, func(ctx context.Context, _ *struct{}) (*huma.StreamResponse, error) {
		if err := s.svc.MetricsAccess(ctx); err != nil {
			return nil, problemFor(s.log, err)
		}
		return &huma.StreamResponse{Body: func(ctx huma.Context) {
			r, w := humago.Unwrap(ctx)
			s.metrics.Handler().ServeHTTP(w, r)
		}}, nil
	})
}

func (s *Server) createDepositRequest(ctx context.Context, in *createInput) (*viewOutput, error) {
	b := in.Body
	if b.ClientRequestID != "" && b.ClientRequestID != in.IdempotencyKey {
		return nil, newProblem(http.StatusUnprocessableEntity, core.EINVALID, "client_request_id must equal the Idempotency-Key header.")
	}
	app := core.DepositApplication{ClientRequestKey: in.IdempotencyKey, CustomerNo: b.CustomerNo, SecuritiesAccount: b.SecuritiesAccount,
		AssetSymbol: b.Asset, Network: b.Network, Amount: b.Amount, SourceAddress: b.SourceAddress, TxID: b.TxID, TxIndex: b.TxIndex}
	rec, created, err := s.svc.SubmitApplication(ctx, app)
	if err != nil {
		return nil, problemFor(s.log, err)
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return &viewOutput{Status: status, Body: view(ctx, rec)}, nil
}

func (s *Server) attachTxID(ctx context.Context, in *attachInput) (*viewOutput, error) {
	rec, err := s.svc.AttachTxID(ctx, in.RecordNo, in.Body.TxID, in.Body.TxIndex)
	if err != nil {
		return nil, problemFor(s.log, err)
	}
	return &viewOutput{Status: http.StatusOK, Body: view(ctx, rec)}, nil
}

func (s *Server) getDepositRequest(ctx context.Context, in *recordInput) (*viewOutput, error) {
	rec, err := s.svc.ClientDeposit(ctx, in.RecordNo)
	if err != nil {
		return nil, problemFor(s.log, err)
	}
	return &viewOutput{Status: http.StatusOK, Body: view(ctx, rec)}, nil
}

func (s *Server) getDepositAddress(ctx context.Context, in *depositAddressInput) (*depositAddressOutput, error) {
	da, err := s.svc.DepositAddress(ctx, in.Customer, in.Asset, in.Network)
	if err != nil {
		return nil, problemFor(s.log, err)
	}
	asset := strings.ToUpper(strings.TrimSpace(in.Asset))
	return &depositAddressOutput{Body: DepositAddressView{CustomerNo: da.CustomerNo, Asset: asset, Network: da.Network, Address: da.Address}}, nil
}

func view(ctx context.Context, d *core.DepositRecord) DepositRequestView {
	return DepositRequestView{
		RecordNo: d.RecordNo, ClientRequestID: core.ClientFromContext(ctx).RequestKeyOf(d), CustomerNo: d.CustomerNo,
		SecuritiesAccount: d.SecuritiesAccount, Asset: d.AssetSymbol, Network: d.Network, Amount: d.AmountText(),
		SourceAddress: d.SourceAddress, DestinationAddress: d.DestinationAddress, TxID: d.TxID, TxIndex: d.TxIndex,
		Status: string(d.Status), StatusText: d.Status.Display(), Confirmations: d.Confirmations,
		ConfirmationsRequired: d.ConfirmationsRequired, RequestedAt: d.RequestedAt, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt,
	}
}
