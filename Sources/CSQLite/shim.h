#ifndef PLUMB_CSQLITE_SHIM_H
#define PLUMB_CSQLITE_SHIM_H

#include <sqlite3.h>

/* SQLITE_TRANSIENT is a cast macro ((sqlite3_destructor_type)-1), which Swift cannot import: this hands it
   over as a value, so sqlite3_bind_text copies Swift strings whose buffers only live for the call. */
static inline sqlite3_destructor_type plumb_sqlite_transient(void) { return SQLITE_TRANSIENT; }

/* One plumb call per container is one process per call: without this, every process re-creates the WAL and
   its index (fsyncs on open) and checkpoints the WAL back into the database on close (more fsyncs, tens of
   milliseconds). The WAL is kept and checkpointed by SQLite's automatic checkpoint as it grows instead.
   sqlite3_db_config is variadic, which Swift cannot call. */
static inline int plumb_sqlite_keep_wal(sqlite3 *db) {
    int on = 1;
    sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &on);
    return sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)0);
}

#endif
