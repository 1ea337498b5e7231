//! Connection set-up, schema versioning and migrations.

use std::fs::{self, OpenOptions};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use crate::StoreError;

/// Schema version this build writes. Bump it by appending to `MIGRATIONS`.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// How long a statement waits for another connection's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// `MIGRATIONS[n]` takes the schema from version `n` to `n + 1`. Never edit an entry
/// once released; append a new one.
const MIGRATIONS: &[&str] = &[MIGRATION_V1, MIGRATION_V2];

/// v1: initial schema.
pub(crate) const MIGRATION_V1: &str = "CREATE TABLE jobs (
         id        INTEGER PRIMARY KEY,
         printer   TEXT    NOT NULL,
         state     INTEGER NOT NULL,
         owner     TEXT    NOT NULL,
         created   INTEGER NOT NULL,
         completed INTEGER,
         attrs     BLOB    NOT NULL
     );
     CREATE INDEX jobs_printer_state ON jobs(printer, state);
     CREATE TABLE documents (
         job_id      INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
         number      INTEGER NOT NULL,
         format      TEXT    NOT NULL,
         size        INTEGER NOT NULL CHECK (size >= 0),
         file        TEXT    NOT NULL,
         compression TEXT,
         PRIMARY KEY (job_id, number)
     ) WITHOUT ROWID;
     -- A spool file belongs to exactly one document, so deleting it is safe once
     -- no row names it.
     CREATE UNIQUE INDEX documents_file ON documents(file);
     CREATE TABLE printers (
         name     TEXT    PRIMARY KEY,
         is_class INTEGER NOT NULL,
         attrs    BLOB    NOT NULL
     ) WITHOUT ROWID;
     CREATE TABLE subscriptions (
         id    INTEGER PRIMARY KEY,
         attrs BLOB    NOT NULL
     );
     CREATE TABLE kv (
         key   TEXT PRIMARY KEY,
         value TEXT NOT NULL
     ) WITHOUT ROWID;";

/// v2: small documents stored inline, committed in the same transaction as their job
/// (one WAL fsync instead of spool file + directory + WAL). NULL: a spool file.
const MIGRATION_V2: &str = "ALTER TABLE documents ADD COLUMN data BLOB;";

/// Opens (creating if needed) the database with durable settings and an up-to-date schema.
pub fn open_connection(db_path: &Path) -> Result<Connection, StoreError> {
    if let Some(parent) = db_path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(|e| StoreError::io(parent, e))?;
    }
    create_private_file(db_path)?;
    let mut conn = Connection::open(db_path)?;
    configure(&conn)?;
    migrate(&mut conn)?;
    Ok(conn)
}

/// Creates the DB file 0600 before SQLite does (SQLite would honour the umask, typically
/// 0644); the -wal/-shm files inherit the DB file's mode. An existing file is tightened too.
fn create_private_file(path: &Path) -> Result<(), StoreError> {
    OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)
        .map_err(|e| StoreError::io(path, e))?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o600))
        .map_err(|e| StoreError::io(path, e))
}

fn configure(conn: &Connection) -> Result<(), StoreError> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // Deleted rows (a confidential job's inline document, already encrypted) are
    // overwritten with zeros, not left in free pages.
    conn.execute_batch("PRAGMA secure_delete = ON;")?;
    // WAL: readers never block the writer and a commit is one sequential append.
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::corrupt(format!(
            "could not switch the database to WAL mode (got {mode:?})"
        )));
    }
    // FULL in WAL mode fsyncs the WAL on every commit: a committed job survives power loss,
    // not just a process kill.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    // Blobs are opaque data; never let schema content run SQL functions with side effects.
    conn.pragma_update(None, "trusted_schema", false)?;
    Ok(())
}

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    // IMMEDIATE takes the write lock up front so two processes cannot both migrate.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found = current_version(&tx)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema { found, supported: SCHEMA_VERSION });
    }
    if found < 0 {
        return Err(StoreError::corrupt(format!("negative schema version {found}")));
    }
    for (from, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        tx.execute_batch(sql)?;
        tx.execute("UPDATE schema_version SET version = ?1", [from as i64 + 1])?;
    }
    tx.commit()?;
    Ok(())
}

/// Reads the schema version, creating the version table in a brand-new database. A
/// database with tables but no version table is not ours: refuse to touch it.
fn current_version(conn: &Connection) -> Result<i64, StoreError> {
    let has_table: Option<i64> = conn
        .query_row(
            "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_version'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    if has_table.is_some() {
        let versions: Vec<i64> = conn
            .prepare("SELECT version FROM schema_version")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        return match versions.as_slice() {
            [v] => Ok(*v),
            _ => Err(StoreError::corrupt(format!(
                "schema_version must hold one row, found {}",
                versions.len()
            ))),
        };
    }
    let tables: i64 =
        conn.query_row("SELECT count(*) FROM sqlite_schema WHERE type = 'table'", [], |r| {
            r.get(0)
        })?;
    if tables > 0 {
        return Err(StoreError::corrupt(
            "database has tables but no schema_version table: not a Quire job store",
        ));
    }
    conn.execute_batch(
        "CREATE TABLE schema_version (version INTEGER NOT NULL);
         INSERT INTO schema_version (version) VALUES (0);",
    )?;
    Ok(0)
}
