-- Tandem's marketing database, beside Temporal's own (run once by the postgres image at first start).
CREATE ROLE tandem LOGIN PASSWORD 'tandem';
CREATE DATABASE tandem OWNER tandem;
