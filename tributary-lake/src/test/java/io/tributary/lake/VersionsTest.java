package io.tributary.lake;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class VersionsTest {
  @Test
  void surrogateKeysAreTheNameBasedUuidsOfKeyAndOpeningPosition() {
    Random random = new Random(7);
    for (int i = 0; i < 10_000; i++) {
      String table = "history.t" + random.nextInt(100);
      List<Object> key = random.nextBoolean() ? List.of(random.nextLong())
          : List.of("ação " + random.nextInt(), new BigDecimal(random.nextInt()).movePointLeft(2));
      String position = "0:" + String.format("%016d", random.nextInt(Integer.MAX_VALUE));
      String text = table + '\u0000' + key + '\u0000' + position;
      assertThat(Versions.surrogateKey(table, key, position)).as(text)
          .isEqualTo(UUID.nameUUIDFromBytes(text.getBytes(StandardCharsets.UTF_8)).toString());
    }
  }

  @Test
  void surrogateKeysAreStableAcrossThreads() throws Exception {
    String expected = Versions.surrogateKey("history.orders", List.of(42L), "0:0000000000000001");
    String[] other = new String[1];
    Thread thread = new Thread(() -> other[0] = Versions.surrogateKey("history.orders", List.of(42L),
        "0:0000000000000001"));
    thread.start();
    thread.join();
    String text = "history.orders" + '\u0000' + "[42]" + '\u0000' + "0:0000000000000001";
    assertThat(other[0]).isEqualTo(expected)
        .isEqualTo(UUID.nameUUIDFromBytes(text.getBytes(StandardCharsets.UTF_8)).toString());
  }
}
