// Curses pieces Swift cannot reach through CNcursesw: function-like macros (mouse masks)
// and mutable globals (stdscr, COLORS, COLOR_PAIRS) that Swift 6 strict concurrency rejects.
// Only plain C types cross this header, so it does not re-declare curses types next to CNcursesw's.
#ifndef PLUMB_CCURSESSHIM_H
#define PLUMB_CCURSESSHIM_H

// The stdscr of the current screen (after newterm/initscr), as an opaque pointer.
void *plumb_cs_stdscr(void);

int plumb_cs_colors(void);
int plumb_cs_color_pairs(void);

// Mouse event masks.
unsigned long plumb_cs_mouse_mask_wanted(void);   // press/release/click of button 1 and 3, wheel
unsigned long plumb_cs_button1_pressed(void);
unsigned long plumb_cs_button1_released(void);
unsigned long plumb_cs_button1_clicked(void);
unsigned long plumb_cs_button3_pressed(void);
unsigned long plumb_cs_button4_pressed(void);     // wheel up
unsigned long plumb_cs_button5_pressed(void);     // wheel down

// getmouse() flattened: returns 0 (OK) and fills x, y and the button state, or -1.
int plumb_cs_getmouse(int *x, int *y, unsigned long *bstate);

// The terminal guard: begin saves the terminal's modes (call it before curses changes them) and installs
// handlers for fatal signals (SIGHUP, SIGINT, SIGQUIT, SIGTERM, and the faults a Swift trap raises) that restore
// the terminal, then let the previous handler end the process; an exit() while guarded restores it too. end
// removes the handlers (after curses restored the terminal itself).
void plumb_cs_guard_begin(void);
void plumb_cs_guard_end(void);

#endif
