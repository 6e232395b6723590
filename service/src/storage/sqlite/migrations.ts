// Schema migrations of the SQLite engine, applied in order and recorded in `migrations`.
// Never edit a shipped migration; append a new one.
export interface SqliteMigration {
  version: number;
  name: string;
  sql: string;
}

export const sqliteMigrations: SqliteMigration[] = [
  {
    version: 1,
    name: 'tenants, tokens, resources, emails, members, audit',
    sql: `
      CREATE TABLE tenants (
        name TEXT PRIMARY KEY,
        created TEXT NOT NULL,
        settings TEXT NOT NULL DEFAULT '{}'
      );
      CREATE TABLE tokens (
        id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL REFERENCES tenants(name) ON DELETE CASCADE,
        hash TEXT NOT NULL,
        label TEXT,
        created TEXT NOT NULL,
        revoked TEXT
      );
      CREATE INDEX tokens_tenant ON tokens(tenant);
      CREATE TABLE resources (
        tenant TEXT NOT NULL REFERENCES tenants(name) ON DELETE CASCADE,
        id TEXT NOT NULL,
        type TEXT NOT NULL,
        data TEXT NOT NULL,
        created TEXT NOT NULL,
        last_modified TEXT NOT NULL,
        version INTEGER NOT NULL,
        user_name_lc TEXT,
        external_id TEXT,
        display_name_lc TEXT,
        active INTEGER,
        PRIMARY KEY (tenant, id)
      );
      CREATE INDEX resources_type_id ON resources(tenant, type, id);
      CREATE UNIQUE INDEX users_user_name ON resources(tenant, user_name_lc) WHERE type = 'User';
      CREATE UNIQUE INDEX groups_display_name ON resources(tenant, display_name_lc) WHERE type = 'Group';
      CREATE INDEX resources_display_name ON resources(tenant, type, display_name_lc);
      CREATE INDEX resources_external_id ON resources(tenant, type, external_id);
      CREATE INDEX resources_active ON resources(tenant, type, active);
      CREATE TABLE emails (
        tenant TEXT NOT NULL,
        user_id TEXT NOT NULL,
        value_lc TEXT NOT NULL,
        type_lc TEXT,
        FOREIGN KEY (tenant, user_id) REFERENCES resources(tenant, id) ON DELETE CASCADE
      );
      CREATE INDEX emails_value ON emails(tenant, value_lc);
      CREATE INDEX emails_user ON emails(tenant, user_id);
      CREATE TABLE members (
        tenant TEXT NOT NULL,
        group_id TEXT NOT NULL,
        member_id TEXT NOT NULL,
        type TEXT,
        display TEXT,
        PRIMARY KEY (tenant, group_id, member_id),
        FOREIGN KEY (tenant, group_id) REFERENCES resources(tenant, id) ON DELETE CASCADE
      );
      CREATE INDEX members_member ON members(tenant, member_id);
      CREATE TABLE audit (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        tenant TEXT NOT NULL,
        time TEXT NOT NULL,
        token_id TEXT,
        method TEXT NOT NULL,
        resource_type TEXT,
        resource_id TEXT,
        summary TEXT NOT NULL,
        status INTEGER NOT NULL,
        outcome TEXT NOT NULL,
        dry_run INTEGER NOT NULL
      );
      CREATE INDEX audit_tenant ON audit(tenant, seq);
    `,
  },
];
