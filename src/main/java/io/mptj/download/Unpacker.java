package io.mptj.download;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Unpacks {@code .zip} and {@code .tar.gz} archives into a folder, safely: an entry whose path is
 * absolute or leaves the folder ({@code ../}) stops the unpacking with an error naming it; links
 * and special files are refused; macOS metadata ({@code __MACOSX/}, {@code .DS_Store}) and entries
 * for the folder itself ({@code ./}) are skipped. Tar: POSIX ustar with GNU long names and pax path
 * records (POSIX.1-2001), each record at most 1 MiB; errors name the archive.
 */
public final class Unpacker {
  private Unpacker() {}

  /** Unpacks a zip or tar.gz archive (told apart by name) into {@code dir}; returns the files. */
  public static List<Path> unpack(Path archive, Path dir) throws IOException {
    String name = archive.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    Files.createDirectories(dir);
    try (InputStream in = new BufferedInputStream(Files.newInputStream(archive), 1 << 16)) {
      if (name.endsWith(".zip")) {
        return unzip(in, archive, dir);
      }
      if (name.endsWith(".tar.gz") || name.endsWith(".tgz")) {
        return untarGz(in, archive, dir);
      }
    }
    throw new IOException("cannot unpack " + archive + ": not a .zip, .tar.gz or .tgz file");
  }

  private static List<Path> unzip(InputStream raw, Path archive, Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    try (ZipInputStream zip = new ZipInputStream(raw)) {
      ZipEntry e;
      while ((e = zip.getNextEntry()) != null) {
        Path target = target(archive, dir, e.getName());
        if (target == null) {
          continue;
        }
        if (e.isDirectory()) {
          Files.createDirectories(target);
        } else {
          write(zip, target);
          out.add(target);
        }
      }
    }
    return out;
  }

  /** A gzip stream that ends early is a truncated archive too. */
  private static List<Path> untarGz(InputStream in, Path archive, Path dir) throws IOException {
    try {
      return untar(new GZIPInputStream(in, 1 << 16), archive, dir);
    } catch (EOFException e) {
      throw truncated(archive);
    }
  }

  private static List<Path> untar(InputStream in, Path archive, Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    byte[] header = new byte[512];
    String longName = null;
    while (readHeader(in, header, archive)) {
      if (isZeros(header)) {
        break;
      }
      long size = octal(header, 124, 12);
      char type = (char) header[156];
      String name = longName != null ? longName : tarName(header);
      longName = null;
      switch (type) {
        case 'L' -> longName = trimNul(record(in, size, archive, "GNU long name"));
        case 'x' -> longName = paxPath(record(in, size, archive, "pax header"));
        case 'g' -> skip(in, size, archive);
        case '5' -> {
          Path t = target(archive, dir, name);
          if (t != null) {
            Files.createDirectories(t);
          }
        }
        case '0', '\0', '7' -> {
          Path t = target(archive, dir, name);
          if (t == null) {
            skip(in, size, archive);
          } else {
            writeEntry(in, size, t, archive);
            out.add(t);
          }
        }
        default ->
            throw new IOException(
                archive
                    + ": entry '"
                    + name
                    + "' is a link or special file (tar type "
                    + type
                    + "); refusing it");
      }
      if (type == 'L' || type == 'x' || type == 'g' || type == '0' || type == '\0' || type == '7') {
        skip(in, (512 - size % 512) % 512, archive);
      }
    }
    return out;
  }

  /** The largest GNU long-name or pax record read (1 MiB), far above any real path. */
  private static final int MAX_RECORD = 1 << 20;

  /** A GNU long-name or pax record's text, refused above {@link #MAX_RECORD} bytes. */
  private static String record(InputStream in, long size, Path archive, String what)
      throws IOException {
    if (size > MAX_RECORD) {
      throw new IOException(
          archive
              + ": a "
              + what
              + " record of "
              + size
              + " bytes is over the limit of 1 MiB; refusing the archive");
    }
    byte[] b = in.readNBytes((int) size);
    if (b.length < size) {
      throw truncated(archive);
    }
    return new String(b, StandardCharsets.UTF_8);
  }

  private static void writeEntry(InputStream in, long size, Path target, Path archive)
      throws IOException {
    BoundedInputStream body = new BoundedInputStream(in, size);
    write(body, target);
    if (body.left > 0) {
      throw truncated(archive);
    }
  }

  private static void skip(InputStream in, long n, Path archive) throws IOException {
    try {
      in.skipNBytes(n);
    } catch (EOFException e) {
      throw truncated(archive);
    }
  }

  private static IOException truncated(Path archive) {
    return new IOException(archive + ": truncated tar archive");
  }

  /**
   * Where an entry goes, {@code null} to skip it (macOS metadata, the folder itself such as {@code
   * ./}); fails on paths that leave {@code dir}.
   */
  private static Path target(Path archive, Path dir, String name) throws IOException {
    String n = name.replace('\\', '/');
    if (n.startsWith("__MACOSX/")
        || n.endsWith("/.DS_Store")
        || n.equals(".DS_Store")
        || n.isBlank()) {
      return null;
    }
    Path base = dir.toAbsolutePath().normalize();
    Path t = base.resolve(n).normalize();
    if (n.startsWith("/") || n.matches("^[A-Za-z]:.*") || !t.startsWith(base)) {
      throw new IOException(
          archive
              + ": unsafe entry '"
              + name
              + "' would be written outside "
              + dir
              + "; refusing the archive");
    }
    return t.equals(base) ? null : t;
  }

  private static void write(InputStream in, Path target) throws IOException {
    Files.createDirectories(target.getParent());
    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
  }

  private static String tarName(byte[] h) {
    String name = trimNul(new String(h, 0, 100, StandardCharsets.UTF_8));
    String magic = new String(h, 257, 5, StandardCharsets.US_ASCII);
    String prefix =
        magic.equals("ustar") ? trimNul(new String(h, 345, 155, StandardCharsets.UTF_8)) : "";
    return prefix.isEmpty() ? name : prefix + "/" + name;
  }

  private static String paxPath(String records) {
    for (String r : records.split("\n")) {
      int sp = r.indexOf(' ');
      if (sp > 0 && r.startsWith("path=", sp + 1)) {
        return r.substring(sp + 6);
      }
    }
    return null;
  }

  private static long octal(byte[] h, int off, int len) {
    if ((h[off] & 0x80) != 0) {
      long v = 0;
      for (int i = off + 1; i < off + len; i++) {
        v = (v << 8) | (h[i] & 0xff);
      }
      return v;
    }
    String s = trimNul(new String(h, off, len, StandardCharsets.US_ASCII)).trim();
    return s.isEmpty() ? 0 : Long.parseLong(s, 8);
  }

  private static String trimNul(String s) {
    int i = s.indexOf('\0');
    return i < 0 ? s : s.substring(0, i);
  }

  /** Reads a 512-byte header; false at the end of the stream. */
  private static boolean readHeader(InputStream in, byte[] b, Path archive) throws IOException {
    int n = in.readNBytes(b, 0, b.length);
    if (n == 0) {
      return false;
    }
    if (n < b.length) {
      throw truncated(archive);
    }
    return true;
  }

  private static boolean isZeros(byte[] b) {
    for (byte x : b) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }

  /** Reads at most {@code left} bytes of the wrapped stream and never closes it. */
  private static final class BoundedInputStream extends InputStream {
    private final InputStream in;
    long left;

    BoundedInputStream(InputStream in, long left) {
      this.in = in;
      this.left = left;
    }

    @Override
    public int read() throws IOException {
      if (left <= 0) {
        return -1;
      }
      int c = in.read();
      if (c >= 0) {
        left--;
      }
      return c;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (left <= 0) {
        return -1;
      }
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n > 0) {
        left -= n;
      }
      return n;
    }
  }
}
