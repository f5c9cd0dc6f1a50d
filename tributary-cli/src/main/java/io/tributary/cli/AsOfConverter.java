package io.tributary.cli;

import io.tributary.sql.AsOf;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import picocli.CommandLine;

/** Reads {@code --as-of}: a snapshot id (digits), an instant with offset, or a local date-time or date taken as UTC. */
final class AsOfConverter implements CommandLine.ITypeConverter<AsOf> {
  @Override
  public AsOf convert(String value) {
    String text = value.trim();
    if (text.matches("\\d{9,}")) {
      return AsOf.snapshot(Long.parseLong(text));
    }
    try {
      return AsOf.timestamp(OffsetDateTime.parse(text).toInstant());
    } catch (DateTimeParseException notWithOffset) {
      try {
        return AsOf.timestamp(LocalDateTime.parse(text).toInstant(ZoneOffset.UTC));
      } catch (DateTimeParseException notLocal) {
        try {
          return AsOf.timestamp(LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant());
        } catch (DateTimeParseException notDate) {
          throw new CommandLine.TypeConversionException("Invalid --as-of: " + value
              + " (give a time such as 2026-11-24T10:15:00Z, 2026-11-24T10:15:00 or 2026-11-24, or a snapshot id)");
        }
      }
    }
  }
}
