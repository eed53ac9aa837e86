-- +goose Up
-- Whether an API client has a request of its own for a customer (the rule
-- for reading that customer's deposit address, decision 37) is one probe:
-- the customer's number, then the range of keys under the client's prefix.
-- The key is ordered bytewise (COLLATE "C") whatever the database's
-- locale, so "starts with the prefix" is a range of the index.
CREATE INDEX deposits_customer_request_key ON deposits (customer_no, client_request_key COLLATE "C")
    WHERE client_request_key IS NOT NULL;

-- +goose Down
DROP INDEX deposits_customer_request_key;
