package io.tributary.sources.postgres.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CopyTextParserTest {
  private final CopyTextParser parser = new CopyTextParser();

  private String[] parse(String row, int columns) {
    byte[] bytes = row.getBytes(StandardCharsets.UTF_8);
    String[] values = new String[columns];
    parser.parse(bytes, bytes.length, values);
    return values;
  }

  @Test
  void splitsColumnsAtTabsAndReadsNulls() {
    assertThat(parse("1\tabc\t\\N\t\n", 4)).containsExactly("1", "abc", null, "");
    assertThat(parse("\\N\n", 1)).containsExactly((String) null);
    assertThat(parse("\\N\t\\N\n", 2)).containsExactly(null, null);
    assertThat(parse("\n", 1)).containsExactly("");
    assertThat(parse("\t\n", 2)).containsExactly("", "");
  }

  @Test
  void decodesEscapes() {
    assertThat(parse("tab\\there\tnew\\nline\tback\\\\slash\n", 3)).containsExactly("tab\there", "new\nline", "back\\slash");
    assertThat(parse("\\b\\f\\r\\v\n", 1)).containsExactly("\b\f\r\u000b");
    // A literal \N is escaped as \\N by the server: it is text, not NULL.
    assertThat(parse("\\\\N\t\\N\n", 2)).containsExactly("\\N", null);
    assertThat(parse("\\N x\n", 1)).containsExactly("N x");
    assertThat(parse("\\101\\60\\7x\n", 1)).containsExactly("A0\u0007x");
    assertThat(parse("\\x41\\x4g\\xz\n", 1)).containsExactly("A\u0004gxz");
    assertThat(parse("\\q\n", 1)).containsExactly("q");
    // bytea as the server sends it: its text form with the backslash doubled.
    assertThat(parse("\\\\x00ff\n", 1)).containsExactly("\\x00ff");
  }

  @Test
  void decodesUtf8AndEscapedUtf8Bytes() {
    assertThat(parse("ação\t日本\t😀\n", 3)).containsExactly("ação", "日本", "😀");
    assertThat(parse("a\\tção\\\\😀\n", 1)).containsExactly("a\tção\\😀");
    assertThat(parse("\\303\\247\n", 1)).containsExactly("ç");
  }

  @Test
  void growsItsScratchBufferForLongEscapedValues() {
    String value = "x\\t".repeat(5000);
    assertThat(parse(value + "\n", 1)[0]).isEqualTo("x\t".repeat(5000));
  }

  @Test
  void rejectsRowsOfAnotherWidthAndBrokenEscapes() {
    assertThatThrownBy(() -> parse("1\t2\n", 3)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid COPY row: 2 columns, expected 3");
    assertThatThrownBy(() -> parse("1\t2\t3\n", 2)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid COPY row: more than 2 columns");
    assertThatThrownBy(() -> parse("ab\\\n", 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a backslash ends the row");
  }

  @Test
  void readsRowsWithoutTheirNewline() {
    assertThat(parse("1\t2", 2)).containsExactly("1", "2");
  }
}
