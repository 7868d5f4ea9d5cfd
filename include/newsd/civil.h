/* Civil (proleptic Gregorian) dates as day numbers, for the date parsing of
 * ingest and the date resolution of the dates stage. */
#ifndef NEWSD_CIVIL_H
#define NEWSD_CIVIL_H

/* Days since 1970-01-01 of the date @p y-@p m-@p d (m 1..12); negative
 * before 1970. No validation: 2023-02-30 is 2023-03-02. */
long nd_days_from_civil(long y, int m, int d);

/* The date of day number @p z (days since 1970-01-01). */
void nd_civil_from_days(long z, long *y, int *m, int *d);

#endif
