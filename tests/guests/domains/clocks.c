/* peer: the three time sources on one console line. */
#include "peer.h"

static struct pvabi_runstate_info runstate;

int peer_clocks_init(void) { return pv_vcpu_register_runstate_area(0, &runstate); }

static int leap(uint64_t year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

struct civil {
  uint64_t year;
  unsigned month, day, hour, minute, second;
};

static struct civil civil_time(uint64_t sec) {
  static const unsigned month_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  struct civil c = {1970, 1, 1, 0, 0, 0};
  uint64_t days = sec / 86400;
  const uint64_t in_day = sec % 86400;
  c.hour = (unsigned)(in_day / 3600);
  c.minute = (unsigned)(in_day / 60 % 60);
  c.second = (unsigned)(in_day % 60);
  while (days >= 365u + (unsigned)leap(c.year)) days -= 365u + (unsigned)leap(c.year++);
  for (unsigned m = 0; m < 12; ++m) {
    const unsigned len = month_days[m] + (m == 1 ? (unsigned)leap(c.year) : 0);
    if (days < len) break;
    days -= len;
    ++c.month;
  }
  c.day = (unsigned)days + 1;
  return c;
}

void peer_print_clocks(const char *what) {
  const uint64_t system = pv_time_system_ns(0);
  const uint64_t ran = pv_time_virtual_ns(&runstate, 0);
  uint64_t sec = 0;
  uint32_t nsec = 0;
  pv_time_wallclock(0, &sec, &nsec);
  const struct civil c = civil_time(sec);
  pvtest_printf("%s: system %lu.%03lu s, ran %lu.%03lu s, wall %lu-%02u-%02u %02u:%02u:%02u.%03u UTC", what,
                system / 1000000000, system / 1000000 % 1000, ran / 1000000000, ran / 1000000 % 1000, c.year,
                c.month, c.day, c.hour, c.minute, c.second, nsec / 1000000);
}
