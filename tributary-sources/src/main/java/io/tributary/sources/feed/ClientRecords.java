package io.tributary.sources.feed;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Fake client records, the same for the same seed: {@code email}, {@code name}, {@code city}, {@code
 * amount} and {@code data_cadastro} (registration date). Records pick one of {@code clients}
 * clients at random; a client that comes back keeps its e-mail and name, may have moved, and has a
 * later registration date each time, so the records make versions of each e-mail.
 */
public final class ClientRecords {
  private static final List<String> FIRST = List.of("Ana", "Bruno", "Carla", "Diego", "Elena", "Fabio", "Gabriela",
      "Hugo", "Ines", "Joao", "Karina", "Luis", "Marta", "Nuno", "Olivia", "Pedro", "Quiteria", "Rafael", "Sofia",
      "Tiago", "Ursula", "Vitor", "Wanda", "Xavier", "Yara", "Zeca");
  private static final List<String> LAST = List.of("Almeida", "Barbosa", "Costa", "Dias", "Esteves", "Ferreira",
      "Gomes", "Henriques", "Lima", "Moreira", "Nunes", "Oliveira", "Pereira", "Ramos", "Silva", "Teixeira");
  private static final List<String> CITIES = List.of("Lisboa", "Porto", "Faro", "Recife", "Salvador", "Curitiba",
      "Coimbra", "Braga", "Natal", "Belem");
  private static final LocalDate FIRST_DAY = LocalDate.of(2024, 1, 1);

  private final Random random;
  private final int clients;
  private final LocalDate[] registered;
  private long made;

  public ClientRecords(long seed, int clients) {
    if (clients < 1) {
      throw new IllegalArgumentException("Invalid number of clients: " + clients + " (at least 1)");
    }
    this.random = new Random(seed);
    this.clients = clients;
    this.registered = new LocalDate[clients];
  }

  /** How many records were made so far. */
  public long made() {
    return made;
  }

  /** The next record; its registration date is later than the one before for the same e-mail. */
  public Map<String, Object> next() {
    int client = random.nextInt(clients);
    int city = random.nextInt(CITIES.size());
    long cents = 1_000 + random.nextInt(99_000);
    int days = 1 + random.nextInt(20);
    LocalDate date = registered[client] == null ? FIRST_DAY.plusDays(client % 60) : registered[client].plusDays(days);
    registered[client] = date;
    made++;
    String first = FIRST.get(client % FIRST.size());
    String last = LAST.get((client / FIRST.size()) % LAST.size());
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("email", (first + "." + last + "." + client + "@example.com").toLowerCase(java.util.Locale.ROOT));
    record.put("name", first + " " + last);
    record.put("city", CITIES.get(city));
    record.put("amount", cents / 100.0);
    record.put("data_cadastro", date);
    return record;
  }

  /** A record as a JSON object, the date as {@code yyyy-mm-dd}. */
  public static String json(Map<String, Object> record) {
    Map<String, Object> text = new LinkedHashMap<>(record);
    text.computeIfPresent("data_cadastro", (name, value) -> value.toString());
    try {
      return JsonRecords.MAPPER.writeValueAsString(text);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write a client record as JSON: " + e.getMessage(), e);
    }
  }
}
