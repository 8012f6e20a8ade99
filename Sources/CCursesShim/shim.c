// Must come before curses.h: SwiftPM drops pkg-config's -D flags, and without it the wide API is hidden.
#define NCURSES_WIDECHAR 1
#include <ncursesw/curses.h>
#include "CCursesShim.h"

void *plumb_cs_stdscr(void) { return stdscr; }

int plumb_cs_colors(void) { return COLORS; }
int plumb_cs_color_pairs(void) { return COLOR_PAIRS; }

unsigned long plumb_cs_mouse_mask_wanted(void) {
    return BUTTON1_PRESSED | BUTTON1_RELEASED | BUTTON1_CLICKED | BUTTON3_PRESSED | BUTTON4_PRESSED
#ifdef BUTTON5_PRESSED
        | BUTTON5_PRESSED
#endif
        ;
}
unsigned long plumb_cs_button1_pressed(void) { return BUTTON1_PRESSED; }
unsigned long plumb_cs_button1_released(void) { return BUTTON1_RELEASED; }
unsigned long plumb_cs_button1_clicked(void) { return BUTTON1_CLICKED; }
unsigned long plumb_cs_button3_pressed(void) { return BUTTON3_PRESSED; }
unsigned long plumb_cs_button4_pressed(void) { return BUTTON4_PRESSED; }
unsigned long plumb_cs_button5_pressed(void) {
#ifdef BUTTON5_PRESSED
    return BUTTON5_PRESSED;
#else
    return 0;
#endif
}

int plumb_cs_getmouse(int *x, int *y, unsigned long *bstate) {
    MEVENT ev;
    if (getmouse(&ev) != OK) return -1;
    *x = ev.x; *y = ev.y; *bstate = (unsigned long)ev.bstate;
    return 0;
}

// ---- Restoring the terminal on every fatal path ------------------------------------------------------------
// A signal (SIGTERM from kill, SIGHUP when the terminal goes away) or a Swift trap (SIGILL/SIGTRAP) while curses
// has the terminal would leave it raw, without echo, on the alternate screen with the mouse reporting. The
// handler does only async-signal-safe things: tcsetattr to the modes saved before curses started, and one
// write(2) of the reset sequences; then it puts back the handler that was there before (ncurses' own, Swift's
// backtracer, or the default) and re-raises, so the process ends exactly as it would have.
#include <signal.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

static const int plumb_fatal_signals[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGILL, SIGTRAP, SIGABRT, SIGBUS,
                                          SIGFPE, SIGSEGV};
#define PLUMB_FATAL_COUNT ((int)(sizeof plumb_fatal_signals / sizeof plumb_fatal_signals[0]))
static struct sigaction plumb_previous[PLUMB_FATAL_COUNT];
static int plumb_installed[PLUMB_FATAL_COUNT];
static struct termios plumb_saved_tty;
static int plumb_saved_tty_ok;
static volatile sig_atomic_t plumb_guard_active;

static void plumb_restore_tty(void) {
    if (!plumb_guard_active) return;
    plumb_guard_active = 0;
    // Mouse reporting off, attributes reset, cursor shown, back to the main screen.
    static const char reset[] = "\033[?1000l\033[?1002l\033[?1003l\033[?1006l\033[0m\033[?25h\033[?1049l\r\n";
    ssize_t unused = write(STDOUT_FILENO, reset, sizeof reset - 1);
    (void)unused;
    if (plumb_saved_tty_ok) tcsetattr(STDIN_FILENO, TCSANOW, &plumb_saved_tty);
}

static void plumb_on_fatal(int sig) {
    plumb_restore_tty();
    for (int i = 0; i < PLUMB_FATAL_COUNT; i++)
        if (plumb_fatal_signals[i] == sig && plumb_installed[i]) sigaction(sig, &plumb_previous[i], NULL);
    // Pending until this handler returns; a fault re-executes its instruction and meets the previous handler.
    raise(sig);
}

static void plumb_restore_at_exit(void) { plumb_restore_tty(); }

void plumb_cs_guard_begin(void) {
    static int registered;
    if (!registered) { registered = 1; atexit(plumb_restore_at_exit); }
    plumb_saved_tty_ok = tcgetattr(STDIN_FILENO, &plumb_saved_tty) == 0;
    plumb_guard_active = 1;
    for (int i = 0; i < PLUMB_FATAL_COUNT; i++) {
        struct sigaction current;
        plumb_installed[i] = 0;
        // An ignored signal (nohup's SIGHUP) stays ignored: it would not have ended plumb.
        if (sigaction(plumb_fatal_signals[i], NULL, &current) != 0 || current.sa_handler == SIG_IGN) continue;
        struct sigaction sa;
        sa.sa_handler = plumb_on_fatal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_ONSTACK;
        if (sigaction(plumb_fatal_signals[i], &sa, &plumb_previous[i]) == 0) plumb_installed[i] = 1;
    }
}

void plumb_cs_guard_end(void) {
    plumb_guard_active = 0;
    for (int i = 0; i < PLUMB_FATAL_COUNT; i++)
        if (plumb_installed[i]) { sigaction(plumb_fatal_signals[i], &plumb_previous[i], NULL); plumb_installed[i] = 0; }
}
