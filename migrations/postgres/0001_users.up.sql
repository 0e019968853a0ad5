-- Organizations, users, API keys, sessions, roles and the audit log.
CREATE TABLE organizations (
  id          uuid PRIMARY KEY,
  name        text NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  id               uuid PRIMARY KEY,
  email            text NOT NULL,
  password_hash    text NOT NULL,
  display_name     text NOT NULL DEFAULT '',
  organization_id  uuid REFERENCES organizations (id),
  roles            text[] NOT NULL DEFAULT '{}',
  disabled         boolean NOT NULL DEFAULT false,
  created_at       timestamptz NOT NULL DEFAULT now(),
  last_login       timestamptz
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_organization_idx ON users (organization_id);

CREATE TABLE api_keys (
  id           uuid PRIMARY KEY,
  user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name         text NOT NULL,
  prefix       text NOT NULL UNIQUE,
  secret_hash  text NOT NULL,
  scopes       text[] NOT NULL DEFAULT '{}',
  expires_at   timestamptz,
  revoked      boolean NOT NULL DEFAULT false,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_keys_user_idx ON api_keys (user_id);

CREATE TABLE sessions (
  id          uuid PRIMARY KEY,
  user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  revoked_at  timestamptz
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE roles (
  name         text PRIMARY KEY,
  description  text NOT NULL DEFAULT ''
);

CREATE TABLE role_permissions (
  role        text NOT NULL REFERENCES roles (name) ON DELETE CASCADE,
  permission  text NOT NULL,
  PRIMARY KEY (role, permission)
);

INSERT INTO roles (name, description) VALUES
  ('admin', 'Everything, including user administration and schema changes'),
  ('trader', 'Market data read and write, cache, streams, vectors, graph'),
  ('reader', 'Read-only access to market data, graph and vectors');

INSERT INTO role_permissions (role, permission) VALUES
  ('admin', '*:*'),
  ('trader', 'ticks:read'), ('trader', 'ticks:write'), ('trader', 'cache:read'), ('trader', 'cache:write'),
  ('trader', 'streams:read'), ('trader', 'streams:write'), ('trader', 'vectors:read'), ('trader', 'vectors:write'),
  ('trader', 'graph:read'), ('trader', 'graph:write'), ('trader', 'models:read'), ('trader', 'models:write'),
  ('reader', 'ticks:read'), ('reader', 'cache:read'), ('reader', 'streams:read'), ('reader', 'vectors:read'),
  ('reader', 'graph:read'), ('reader', 'models:read');

CREATE TABLE audit_log (
  id      bigserial PRIMARY KEY,
  at      timestamptz NOT NULL DEFAULT now(),
  actor   text NOT NULL,
  action  text NOT NULL,
  target  text NOT NULL DEFAULT '',
  result  text NOT NULL,
  detail  jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
