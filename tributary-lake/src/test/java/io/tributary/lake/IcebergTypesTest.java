package io.tributary.lake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.api.DataType;
import io.tributary.api.DataType.Kind;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

class IcebergTypesTest {

  @Test
  void mapsEveryKind() {
    assertThat(IcebergTypes.toIceberg(DataType.of(Kind.BOOLEAN))).isEqualTo(Types.BooleanType.get());
    assertThat(IcebergTypes.toIceberg(DataType.of(Kind.INT16))).isEqualTo(Types.IntegerType.get());
    assertThat(IcebergTypes.toIceberg(DataType.of(Kind.INT32))).isEqualTo(Types.IntegerType.get());
    assertThat(IcebergTypes.toIceberg(DataType.of(Kind.INT64))).isEqualTo(Types.LongType.get());
    assertThat(IcebergTypes.toIceberg(DataType.of(Kind.FLOAT32))).isEqualTo(Types.FloatType.get());
    assertThat(IcebergTypes.toIceberg(DataType.of(Kind.FLOAT64))).isEqualTo(Types.DoubleType.get());
    assertThat(IcebergTypes.toIceberg(DataType.decimal(12, 3))).isEqualTo(Types.DecimalType.of(12, 3));
    assertThat(IcebergTypes.toIceberg(DataType.of(Kind.STRING))).isEqualTo(Types.StringType.get());
    assertThat(IcebergTypes.toIceberg(DataType.of(Kind.JSON))).isEqualTo(Types.StringType.get());
    assertThat(IcebergTypes.toIceberg(DataType.of(Kind.DATE))).isEqualTo(Types.DateType.get());
    assertThat(IcebergTypes.toIceberg(DataType.of(Kind.TIME))).isEqualTo(Types.TimeType.get());
    assertThat(IcebergTypes.toIceberg(DataType.of(Kind.TIMESTAMP))).isEqualTo(Types.TimestampType.withoutZone());
    assertThat(IcebergTypes.toIceberg(DataType.of(Kind.TIMESTAMPTZ))).isEqualTo(Types.TimestampType.withZone());
    assertThat(IcebergTypes.toIceberg(DataType.of(Kind.UUID))).isEqualTo(Types.UUIDType.get());
    assertThat(IcebergTypes.toIceberg(DataType.of(Kind.BINARY))).isEqualTo(Types.BinaryType.get());
    Type list = IcebergTypes.toIceberg(DataType.list(DataType.of(Kind.STRING)));
    assertThat(list.asListType().elementType()).isEqualTo(Types.StringType.get());
    assertThat(list.asListType().isElementOptional()).isTrue();
  }

  @Test
  void mapsBackFromIceberg() {
    for (DataType type : List.of(DataType.of(Kind.BOOLEAN), DataType.of(Kind.INT32), DataType.of(Kind.INT64),
        DataType.of(Kind.FLOAT32), DataType.of(Kind.FLOAT64), DataType.decimal(7, 2), DataType.of(Kind.STRING),
        DataType.of(Kind.DATE), DataType.of(Kind.TIME), DataType.of(Kind.TIMESTAMP), DataType.of(Kind.TIMESTAMPTZ),
        DataType.of(Kind.UUID), DataType.of(Kind.BINARY), DataType.list(DataType.of(Kind.INT64)))) {
      assertThat(IcebergTypes.fromIceberg(IcebergTypes.toIceberg(type))).isEqualTo(type);
    }
  }

  @Test
  void widensOnlyWhatIcebergAllows() {
    assertThat(IcebergTypes.canWiden(Types.IntegerType.get(), Types.LongType.get())).isTrue();
    assertThat(IcebergTypes.canWiden(Types.FloatType.get(), Types.DoubleType.get())).isTrue();
    assertThat(IcebergTypes.canWiden(Types.DecimalType.of(10, 2), Types.DecimalType.of(12, 2))).isTrue();
    assertThat(IcebergTypes.canWiden(Types.DecimalType.of(10, 2), Types.DecimalType.of(12, 3))).isFalse();
    assertThat(IcebergTypes.canWiden(Types.LongType.get(), Types.IntegerType.get())).isFalse();
    assertThat(IcebergTypes.canWiden(Types.IntegerType.get(), Types.StringType.get())).isFalse();
    assertThat(IcebergTypes.sameType(Types.ListType.ofOptional(5, Types.LongType.get()),
        Types.ListType.ofOptional(9, Types.LongType.get()))).isTrue();
  }

  @Test
  void convertsValuesToWhatGenericRecordsHold() {
    assertThat(IcebergTypes.toIcebergValue(7, Types.LongType.get())).isEqualTo(7L);
    assertThat(IcebergTypes.toIcebergValue(1.5f, Types.DoubleType.get())).isEqualTo(1.5d);
    assertThat(IcebergTypes.toIcebergValue(new BigDecimal("1.5"), Types.DecimalType.of(5, 2)))
        .isEqualTo(new BigDecimal("1.50"));
    assertThat(IcebergTypes.toIcebergValue(Instant.parse("2024-01-01T00:00:00Z"), Types.TimestampType.withZone()))
        .isEqualTo(OffsetDateTime.of(2024, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC));
    assertThat(IcebergTypes.toIcebergValue(OffsetDateTime.of(2024, 1, 1, 2, 0, 0, 0, ZoneOffset.ofHours(2)),
        Types.TimestampType.withZone())).isEqualTo(OffsetDateTime.of(2024, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC));
    assertThat(IcebergTypes.toIcebergValue(new byte[] {1, 2}, Types.BinaryType.get()))
        .isEqualTo(ByteBuffer.wrap(new byte[] {1, 2}));
    assertThat(IcebergTypes.toIcebergValue(null, Types.StringType.get())).isNull();
  }

  @Test
  void refusesValuesThatDoNotFit() {
    assertThatThrownBy(() -> IcebergTypes.toIcebergValue("12", Types.IntegerType.get()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid value for lake type int: 12 is a java.lang.String");
    assertThatThrownBy(() -> IcebergTypes.toIcebergValue(new BigDecimal("1.234"), Types.DecimalType.of(5, 2)))
        .hasMessageContaining("1.234 has more than 2 digits after the point");
    assertThatThrownBy(() -> IcebergTypes.toIcebergValue(new BigDecimal("12345.6"), Types.DecimalType.of(5, 1)))
        .hasMessageContaining("12345.6 has more than 5 digits");
    assertThatThrownBy(() -> IcebergTypes.toIcebergValue(5L, Types.IntegerType.get()))
        .hasMessageContaining("5 is a java.lang.Long");
  }
}
