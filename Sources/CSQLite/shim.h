#ifndef PLUMB_CSQLITE_SHIM_H
#define PLUMB_CSQLITE_SHIM_H

#include <sqlite3.h>

/* SQLITE_TRANSIENT is a cast macro ((sqlite3_destructor_type)-1), which Swift cannot import: this hands it
   over as a value, so sqlite3_bind_text copies Swift strings whose buffers only live for the call. */
static inline sqlite3_destructor_type plumb_sqlite_transient(void) { return SQLITE_TRANSIENT; }

#endif
