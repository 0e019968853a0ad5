DROP TABLE audit_log;
DROP TABLE role_permissions;
DROP TABLE roles;
DROP TABLE sessions;
DROP TABLE api_keys;
DROP TABLE users;
DROP TABLE organizations;
