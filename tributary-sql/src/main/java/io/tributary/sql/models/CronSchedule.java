package io.tributary.sql.models;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;

/**
 * A 5-field cron expression: minute, hour, day of month, month, day of week, with {@code *}, lists
 * ({@code 1,15}), ranges ({@code 1-5}), steps ({@code * /5}, {@code 0-30/10}) and names ({@code JAN}, {@code MON}).
 * Day of week 0 and 7 are Sunday. As in classic cron, when both day fields are restricted a day matching
 * either one matches. Times are in the schedule's zone (UTC unless given).
 */
public final class CronSchedule {
  private static final List<String> MONTHS =
      List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC");
  private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");
  private static final Instant PROBE_START = Instant.parse("2000-01-01T00:00:00Z");
  /** Long enough for any satisfiable expression (Feb 29 on a Monday comes within 28 years). */
  private static final int SEARCH_YEARS = 30;

  private final String expression;
  private final ZoneId zone;
  private final BitSet minutes;
  private final BitSet hours;
  private final BitSet daysOfMonth;
  private final BitSet months;
  private final BitSet daysOfWeek;
  private final boolean dayOfMonthRestricted;
  private final boolean dayOfWeekRestricted;

  private CronSchedule(String expression, ZoneId zone, String[] fields) {
    this.expression = expression;
    this.zone = zone;
    this.minutes = field(fields[0], "minute", 0, 59, List.of(), 0);
    this.hours = field(fields[1], "hour", 0, 23, List.of(), 0);
    this.daysOfMonth = field(fields[2], "day of month", 1, 31, List.of(), 0);
    this.months = field(fields[3], "month", 1, 12, MONTHS, 1);
    BitSet days = field(fields[4], "day of week", 0, 7, DAYS, 0);
    if (days.get(7)) {
      days.set(0);
    }
    this.daysOfWeek = days;
    this.dayOfMonthRestricted = !fields[2].equals("*");
    this.dayOfWeekRestricted = !fields[4].equals("*");
  }

  /** Parses {@code expression} in UTC. */
  public static CronSchedule parse(String expression) {
    return parse(expression, ZoneOffset.UTC);
  }

  /**
   * Parses {@code expression}, whose times are in {@code zone}.
   *
   * @throws IllegalArgumentException naming the field that is invalid, or if no time ever matches
   */
  public static CronSchedule parse(String expression, ZoneId zone) {
    requireNonNull(expression, "expression is null");
    requireNonNull(zone, "zone is null");
    String[] fields = expression.strip().split("\\s+");
    if (fields.length != 5) {
      throw new IllegalArgumentException("Invalid cron expression '" + expression + "': it has " + fields.length
          + " fields, expected 5 (minute hour day-of-month month day-of-week, e.g. '*/5 * * * *')");
    }
    CronSchedule schedule = new CronSchedule(expression.strip(), zone, fields);
    try {
      schedule.nextRun(PROBE_START);
    } catch (IllegalStateException e) {
      throw new IllegalArgumentException("Invalid cron expression '" + expression + "': no time ever matches it"
          + " (check the day of month against the month)", e);
    }
    return schedule;
  }

  public String expression() {
    return expression;
  }

  public ZoneId zone() {
    return zone;
  }

  /** The first matching minute strictly after {@code after}. */
  public Instant nextRun(Instant after) {
    requireNonNull(after, "after is null");
    ZonedDateTime time = after.atZone(zone).truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
    ZonedDateTime limit = time.plusYears(SEARCH_YEARS);
    while (time.isBefore(limit)) {
      if (!months.get(time.getMonthValue())) {
        time = time.withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS).plusMonths(1);
      } else if (!dayMatches(time)) {
        time = time.truncatedTo(ChronoUnit.DAYS).plusDays(1);
      } else if (!hours.get(time.getHour())) {
        time = time.truncatedTo(ChronoUnit.HOURS).plusHours(1);
      } else if (!minutes.get(time.getMinute())) {
        time = time.plusMinutes(1);
      } else {
        return time.toInstant();
      }
    }
    throw new IllegalStateException("Cannot find the next run of cron expression '" + expression + "' after "
        + after + ": no time within " + SEARCH_YEARS + " years matches");
  }

  private boolean dayMatches(ZonedDateTime time) {
    boolean dayOfMonth = daysOfMonth.get(time.getDayOfMonth());
    boolean dayOfWeek = daysOfWeek.get(time.getDayOfWeek().getValue() % 7);
    if (dayOfMonthRestricted && dayOfWeekRestricted) {
      return dayOfMonth || dayOfWeek;
    }
    return dayOfMonth && dayOfWeek;
  }

  private BitSet field(String text, String name, int min, int max, List<String> names, int firstNameValue) {
    BitSet values = new BitSet(max + 1);
    for (String part : text.split(",", -1)) {
      String range = part;
      int step = 1;
      int slash = part.indexOf('/');
      if (slash >= 0) {
        range = part.substring(0, slash);
        step = number(part.substring(slash + 1), name, 1, max, List.of(), 0);
      }
      int from;
      int to;
      if (range.equals("*")) {
        from = min;
        to = max;
      } else if (range.contains("-")) {
        int dash = range.indexOf('-');
        from = number(range.substring(0, dash), name, min, max, names, firstNameValue);
        to = number(range.substring(dash + 1), name, min, max, names, firstNameValue);
        if (to < from) {
          throw invalid(name, part, "the range ends before it starts");
        }
      } else {
        from = number(range, name, min, max, names, firstNameValue);
        to = slash >= 0 ? max : from;
      }
      for (int value = from; value <= to; value += step) {
        values.set(value);
      }
    }
    return values;
  }

  private int number(String text, String name, int min, int max, List<String> names, int firstNameValue) {
    int named = names.indexOf(text.toUpperCase(Locale.ROOT));
    if (named >= 0) {
      return named + firstNameValue;
    }
    int value;
    try {
      value = Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw invalid(name, text, "not a number" + (names.isEmpty() ? "" : " or a name like " + names.get(0)));
    }
    if (value < min || value > max) {
      throw invalid(name, text, "outside " + min + "-" + max);
    }
    return value;
  }

  private IllegalArgumentException invalid(String name, String value, String reason) {
    return new IllegalArgumentException("Invalid cron expression '" + expression + "': " + name + " '" + value
        + "' is " + reason);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof CronSchedule cron && cron.expression.equals(expression) && cron.zone.equals(zone);
  }

  @Override
  public int hashCode() {
    return expression.hashCode() * 31 + zone.hashCode();
  }

  @Override
  public String toString() {
    return expression;
  }
}
