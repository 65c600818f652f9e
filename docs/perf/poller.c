/* A bare 10 ms poller: wakes every 10 ms for 60 s, doing nothing. */
#include <time.h>
int main(void) {
    struct timespec d = {0, 10 * 1000 * 1000};
    for (int i = 0; i < 6000; i++) nanosleep(&d, 0);
    return 0;
}
