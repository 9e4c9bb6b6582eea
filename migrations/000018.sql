-- Browser ingestion (docs/ingestion.md, "From a browser"). A write key may list the origins it may be
-- used from in a browser: a JSON array of origins (`https://shop.example.com`, `https://*.example.com`).
-- NULL, the default, means any origin, as in Segment (write keys are public).
ALTER TABLE api_keys ADD COLUMN allowed_origins {{json}};
