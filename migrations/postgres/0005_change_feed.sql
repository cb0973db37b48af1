CREATE TABLE change_feed (
  seq BIGSERIAL PRIMARY KEY,
  kind TEXT NOT NULL,
  subject TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
