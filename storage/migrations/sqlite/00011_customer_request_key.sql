-- +goose Up
-- Whether an API client has a request of its own for a customer (the rule
-- for reading that customer's deposit address, decision 37) is one probe:
-- the customer's number, then the range of keys under the client's prefix.
CREATE INDEX deposits_customer_request_key ON deposits (customer_no, client_request_key)
    WHERE client_request_key IS NOT NULL;

-- +goose Down
DROP INDEX deposits_customer_request_key;
