// The geometry of the hex view, tested without any widget (the Okteta
// lesson): offsets, rows, columns and character positions.
#include <QTest>

#include <optional>
#include <string>

#include "views/hex_layout.hpp"
#include "pipescope/codec.hpp"

using pipescope::ui::HexLayout;

class HexLayoutTest : public QObject {
  Q_OBJECT

 private slots:
  void hexLayoutRowsAndColumns() {
    const HexLayout layout;
    QCOMPARE(layout.rowCount(0), 0U);
    QCOMPARE(layout.rowCount(1), 1U);
    QCOMPARE(layout.rowCount(16), 1U);
    QCOMPARE(layout.rowCount(17), 2U);
    QCOMPARE(layout.rowOf(33), 2U);
    QCOMPARE(layout.columnOf(33), 1U);
    QCOMPARE(layout.offsetAt(2, 1), 33U);
    QCOMPARE(layout.bytesOnRow(1, 20), 4U);
    QCOMPARE(layout.bytesOnRow(2, 20), 0U);
    QCOMPARE(HexLayout::offsetDigits(100), 8);
    QCOMPARE(HexLayout::offsetDigits(0x1'0000'0000ULL), 16);
    const HexLayout narrow(5, 0);
    QCOMPARE(narrow.rowCount(11), 3U);
    QCOMPARE(narrow.hexCharOf(4, 11), 8 + 2 + 12);
  }

  // The character positions agree with the engine's own hex dump, which
  // follows "hexdump -C".
  void hexLayoutMatchesTheEnginesDump() {
    const std::string text = "Hello, pipes! 0123456789";
    const std::string dump = pipescope::format_hex_dump(pipescope::as_bytes(text));
    const std::string firstLine = dump.substr(0, dump.find('\n'));
    const HexLayout layout;
    const auto size = static_cast<std::uint64_t>(text.size());
    QCOMPARE(static_cast<int>(firstLine.size()), layout.lineChars(size));
    QCOMPARE(firstLine[static_cast<std::size_t>(layout.asciiStart(size))], '|');
    for (std::size_t column = 0; column < 16; ++column) {
      const auto hex = static_cast<std::size_t>(layout.hexCharOf(column, size));
      QCOMPARE(firstLine.substr(hex, 2), pipescope::format_hex(pipescope::as_bytes(text.substr(column, 1)), ""));
      QCOMPARE(firstLine[static_cast<std::size_t>(layout.asciiCharOf(column, size))], text[column]);
    }
  }

  void hexLayoutHitTestAndVisibleRows() {
    const HexLayout layout;
    const std::uint64_t size = 20;
    QCOMPARE(layout.hitTest(0, layout.hexCharOf(3, size), size), std::optional<std::uint64_t>(3));
    QCOMPARE(layout.hitTest(0, layout.hexCharOf(3, size) + 1, size), std::optional<std::uint64_t>(3));
    QCOMPARE(layout.hitTest(0, layout.hexCharOf(3, size) + 2, size), std::nullopt);  // the space between
    QCOMPARE(layout.hitTest(1, layout.asciiCharOf(2, size), size), std::optional<std::uint64_t>(18));
    QCOMPARE(layout.hitTest(1, layout.asciiCharOf(5, size), size), std::nullopt);  // past the end
    QCOMPARE(layout.hitTest(0, 0, size), std::nullopt);                             // the offset column
    const auto range = layout.visibleRows(10, 50, 16 * 40);
    QCOMPARE(range.first, 10U);
    QCOMPARE(range.last, 40U);
    const auto beyond = layout.visibleRows(100, 5, 16);
    QCOMPARE(beyond.first, 1U);
    QCOMPARE(beyond.last, 1U);
  }

};

QTEST_APPLESS_MAIN(HexLayoutTest)
#include "hex_layout_test.moc"
