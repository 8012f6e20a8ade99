// SwiftPM drops ncursesw's -D flags from pkg-config; the wide-char API needs this before curses.h.
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <ncursesw/curses.h>

// Curses macros are not imported into Swift: wrap the ones the TUI needs.
static inline int plumb_getmaxy(WINDOW *w) { return getmaxy(w); }
static inline int plumb_getmaxx(WINDOW *w) { return getmaxx(w); }
static inline attr_t plumb_a_bold(void) { return A_BOLD; }
static inline attr_t plumb_a_reverse(void) { return A_REVERSE; }
static inline attr_t plumb_a_dim(void) { return A_DIM; }
static inline attr_t plumb_a_underline(void) { return A_UNDERLINE; }
