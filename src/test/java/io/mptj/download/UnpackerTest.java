package io.mptj.download;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unpacking tar.gz and zip archives built here, well-formed and not. */
class UnpackerTest {
  @TempDir Path tmp;

  /** One tar entry: a name, a type flag and content (for 'L' and 'x', the record's text). */
  private record Entry(String name, char type, byte[] body, long declaredSize) {
    Entry(String name, char type, String body) {
      this(name, type, body.getBytes(StandardCharsets.UTF_8), -1);
    }
  }

  private static byte[] header(String name, char type, long size) {
    byte[] h = new byte[512];
    put(h, 0, name);
    put(h, 100, "0000644");
    put(h, 108, "0000000");
    put(h, 116, "0000000");
    put(h, 124, String.format("%011o", size));
    put(h, 136, "00000000000");
    h[156] = (byte) type;
    put(h, 257, "ustar");
    put(h, 263, "00");
    Arrays.fill(h, 148, 156, (byte) ' ');
    int sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    put(h, 148, String.format("%06o", sum));
    return h;
  }

  private static void put(byte[] h, int off, String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(b, 0, h, off, b.length);
  }

  /** A tar stream of the entries, with padding and the end marker. */
  private static byte[] tar(Entry... entries) {
    var out = new ByteArrayOutputStream();
    for (Entry e : entries) {
      long size = e.declaredSize() >= 0 ? e.declaredSize() : e.body().length;
      out.writeBytes(header(e.name(), e.type(), size));
      out.writeBytes(e.body());
      out.writeBytes(new byte[(512 - e.body().length % 512) % 512]);
    }
    out.writeBytes(new byte[1024]);
    return out.toByteArray();
  }

  private Path tarGz(String fileName, byte[] tar) throws IOException {
    var bytes = new ByteArrayOutputStream();
    try (var gz = new GZIPOutputStream(bytes)) {
      gz.write(tar);
    }
    return Files.write(tmp.resolve(fileName), bytes.toByteArray());
  }

  private String error(Path archive) {
    return assertThrows(IOException.class, () -> Unpacker.unpack(archive, tmp.resolve("out")))
        .getMessage();
  }

  @Test
  void entriesForTheFolderItselfAreSkipped() throws IOException {
    Path archive =
        tarGz(
            "dot.tar.gz",
            tar(
                new Entry("./", '5', ""),
                new Entry(".", '5', ""),
                new Entry("./data/", '5', ""),
                new Entry("./data/train.tsv", '0', "a\tb\n")));
    List<Path> files = Unpacker.unpack(archive, tmp.resolve("out"));
    assertEquals(List.of(tmp.resolve("out/data/train.tsv")), files);
    assertEquals("a\tb\n", Files.readString(files.getFirst()));

    Path zip = tmp.resolve("dot.zip");
    try (var z = new ZipOutputStream(Files.newOutputStream(zip))) {
      z.putNextEntry(new ZipEntry("./"));
      z.closeEntry();
      z.putNextEntry(new ZipEntry("./x.txt"));
      z.write("x".getBytes(StandardCharsets.UTF_8));
      z.closeEntry();
    }
    assertEquals(List.of(tmp.resolve("zip/x.txt")), Unpacker.unpack(zip, tmp.resolve("zip")));
  }

  @Test
  void entriesThatLeaveTheFolderAreStillRefused() throws IOException {
    for (String name : List.of("../evil.txt", "./../evil.txt", "a/../../evil.txt", "/evil.txt")) {
      Path archive = tarGz("evil.tar.gz", tar(new Entry(name, '0', "x")));
      String m = error(archive);
      assertTrue(m.contains(archive.toString()) && m.contains("unsafe entry"), name + ": " + m);
    }
    assertFalse(Files.exists(tmp.resolve("evil.txt")));
  }

  @Test
  void truncatedArchivesAreNamed() throws IOException {
    byte[] whole = tar(new Entry("a.txt", '0', "x".repeat(2000)));
    Path body = tarGz("body.tar.gz", Arrays.copyOf(whole, 512 + 700));
    assertEquals(body + ": truncated tar archive", error(body));
    Path head = tarGz("head.tar.gz", Arrays.copyOf(whole, 300));
    assertEquals(head + ": truncated tar archive", error(head));
    byte[] gz = Files.readAllBytes(tarGz("gz.tar.gz", whole));
    Path cut = Files.write(tmp.resolve("cut.tar.gz"), Arrays.copyOf(gz, gz.length / 2));
    assertEquals(cut + ": truncated tar archive", error(cut));
  }

  @Test
  void longNameAndPaxRecordsAreCappedAtOneMiB() throws IOException {
    Path gnu =
        tarGz("gnu.tar.gz", tar(new Entry("././@LongLink", 'L', new byte[0], (1 << 20) + 1)));
    String m = error(gnu);
    assertTrue(m.startsWith(gnu + ": a GNU long name record of 1048577 bytes"), m);
    Path pax = tarGz("pax.tar.gz", tar(new Entry("PaxHeader", 'x', new byte[0], 5L << 30)));
    m = error(pax);
    assertTrue(m.startsWith(pax + ": a pax header record of") && m.contains("1 MiB"), m);
  }

  @Test
  void longNamesAndPaxPathsNameTheNextEntry() throws IOException {
    String deep = "d/".repeat(80) + "file.txt";
    Path archive =
        tarGz(
            "long.tar.gz",
            tar(
                new Entry("././@LongLink", 'L', deep + "\0"),
                new Entry("short", '0', "gnu"),
                new Entry("PaxHeader", 'x', "27 path=pax/named/file.txt\n"),
                new Entry("short2", '0', "pax")));
    Unpacker.unpack(archive, tmp.resolve("out"));
    assertEquals("gnu", Files.readString(tmp.resolve("out").resolve(deep)));
    assertEquals("pax", Files.readString(tmp.resolve("out/pax/named/file.txt")));
  }
}
