package dev.consilium.runtime.journal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.*;

/** A disk that fills up in the middle of a record. */
class JournalFullDiskTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void anAppendThatRunsOutOfSpaceNamesTheFileAndLeavesOnlyWholeRecords(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("verdicts.jsonl");
        ObjectNode first = JSON.createObjectNode().put("id", "r1/a/g0").put("text", "x".repeat(40));
        ObjectNode second = JSON.createObjectNode().put("id", "r1/a/g1").put("text", "y".repeat(40));
        long room = first.toString().length() + 1 + 20; // the first record and part of the second
        try (Journal j = Journal.open(file, new FullDisk(file, room))) {
            assertTrue(j.append(first));
            RunException e = assertThrows(RunException.class, () -> j.append(second));
            assertEquals("cannot append to " + file + ": IOException: No space left on device", e.getMessage());
            assertFalse(j.contains("r1/a/g1"), "a record that did not reach the disk is not in the journal");
            assertEquals(first.toString() + "\n", Files.readString(file), "the part of the line written is cut back");
        }
        // Space freed: the run resumes, replays the record, and it lands once.
        try (Journal j = Journal.open(file)) {
            assertEquals(1, j.records().size());
            assertTrue(j.append(second));
        }
        assertEquals(2, Files.readAllLines(file).size());
    }

    /** A file channel whose writes stop at {@code room} bytes: a partial write, then "No space left on device". */
    private static final class FullDisk extends FileChannel {
        private final FileChannel file;
        private final long room;

        FullDisk(Path path, long room) throws IOException {
            this.file = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            this.room = room;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            long left = room - file.position();
            if (left <= 0) throw new IOException("No space left on device");
            if (src.remaining() <= left) return file.write(src);
            ByteBuffer part = src.slice(src.position(), (int) left);
            int n = file.write(part);
            src.position(src.position() + n);
            return n;
        }

        @Override public int read(ByteBuffer dst) throws IOException { return file.read(dst); }
        @Override public long read(ByteBuffer[] dsts, int offset, int length) throws IOException { return file.read(dsts, offset, length); }
        @Override public long write(ByteBuffer[] srcs, int offset, int length) { throw new UnsupportedOperationException(); }
        @Override public long position() throws IOException { return file.position(); }
        @Override public FileChannel position(long p) throws IOException { file.position(p); return this; }
        @Override public long size() throws IOException { return file.size(); }
        @Override public FileChannel truncate(long size) throws IOException { file.truncate(size); return this; }
        @Override public void force(boolean metaData) throws IOException { file.force(metaData); }
        @Override public long transferTo(long position, long count, WritableByteChannel target) { throw new UnsupportedOperationException(); }
        @Override public long transferFrom(ReadableByteChannel src, long position, long count) { throw new UnsupportedOperationException(); }
        @Override public int read(ByteBuffer dst, long position) throws IOException { return file.read(dst, position); }
        @Override public int write(ByteBuffer src, long position) { throw new UnsupportedOperationException(); }
        @Override public MappedByteBuffer map(MapMode mode, long position, long size) { throw new UnsupportedOperationException(); }
        @Override public FileLock lock(long position, long size, boolean shared) { throw new UnsupportedOperationException(); }
        @Override public FileLock tryLock(long position, long size, boolean shared) { throw new UnsupportedOperationException(); }
        @Override protected void implCloseChannel() throws IOException { file.close(); }
    }
}
