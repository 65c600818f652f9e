/* A bare 10 ms poller: wakes every 10 ms doing nothing, until killed. */
#include <time.h>
int main(void) {
    struct timespec d = {0, 10 * 1000 * 1000};
    for (;;) nanosleep(&d, 0);
}
