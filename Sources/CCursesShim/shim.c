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
