package org.loralab.lora.hf.hub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * One model repository in the Hugging Face cache, laid out as huggingface_hub lays it out so either side reuses
 * the other's downloads: {@code models--org--name/blobs/<etag>}, {@code snapshots/<commit>/<file>} as a relative
 * symlink to {@code ../../blobs/<etag>}, and {@code refs/<revision>} holding the commit (no newline).
 * Every name that comes from the user or the server is checked before it becomes a path.
 */
final class RepoCache {
    static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
    private static final Pattern REPO_ID = Pattern.compile("([\\w.-]+/)?[\\w.-]+");
    private static final Pattern ETAG = Pattern.compile("[\\w.-]+");

    private final Path root;

    RepoCache(Path cacheDir, String repoId) {
        checkRepoId(repoId);
        this.root = cacheDir.resolve("models--" + repoId.replace("/", "--"));
    }

    static void checkRepoId(String repoId) {
        if (repoId == null || repoId.length() > 96 || !REPO_ID.matcher(repoId).matches() || repoId.contains("..")
                || repoId.contains("--") || repoId.startsWith(".") || repoId.endsWith(".")) {
            throw new HubException("'" + repoId + "' is not a Hub model id; use 'org/name' (letters, digits, - _ .)");
        }
    }

    static void checkRevision(String revision) {
        if (revision == null || revision.isBlank() || revision.startsWith("/") || revision.contains("\\")
                || revision.contains("\0") || Pattern.compile("(^|/)\\.\\.?(/|$)").matcher(revision).find()) {
            throw new HubException("'" + revision + "' is not a revision; use a branch, a tag or a 40-hex commit");
        }
    }

    static boolean isCommit(String revision) {
        return COMMIT.matcher(revision).matches();
    }

    /** A repository path from the server, as a relative path with no way out of the snapshot folder. */
    static String checkFilename(String name) {
        boolean bad = name == null || name.isEmpty() || name.startsWith("/") || name.contains("\\")
                || name.contains("\0") || name.contains("//") || name.endsWith("/");
        if (!bad) {
            for (String part : name.split("/")) {
                bad |= part.equals("..") || part.equals(".");
            }
        }
        if (bad) {
            throw new HubException("the Hub listed an unsafe file name '" + name + "'; refusing to write it");
        }
        return name;
    }

    static String checkEtag(String etag, String file) {
        if (etag == null || !ETAG.matcher(etag).matches() || etag.startsWith(".")) {
            throw new HubException("the Hub sent no usable ETag for " + file + " (got '" + etag
                    + "'); check HF_ENDPOINT points at a Hugging Face Hub");
        }
        return etag;
    }

    Path blob(String etag) { return root.resolve("blobs").resolve(etag); }
    Path snapshot(String commit) { return root.resolve("snapshots").resolve(commit); }
    Path pointer(String commit, String file) { return snapshot(commit).resolve(file); }

    /** The commit a branch or tag last resolved to, or null when this cache never saw it. */
    String readRef(String revision) {
        Path ref = root.resolve("refs").resolve(revision);
        if (!Files.isRegularFile(ref)) {
            return null;
        }
        try {
            String commit = Files.readString(ref, StandardCharsets.UTF_8).strip();
            return isCommit(commit) ? commit : null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + ref + ": " + e.getMessage(), e);
        }
    }

    void writeRef(String revision, String commit) {
        Path ref = root.resolve("refs").resolve(revision);
        try {
            Files.createDirectories(ref.getParent());
            Path tmp = ref.resolveSibling(ref.getFileName() + ".tmp-" + UUID.randomUUID());
            Files.writeString(tmp, commit, StandardCharsets.UTF_8);
            moveAtomically(tmp, ref);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + ref + ": " + e.getMessage(), e);
        }
    }

    /** Puts {@code snapshots/<commit>/<file>} in place as a relative link to the blob (a copy where links fail). */
    void link(Path pointer, Path blob) {
        try {
            Files.createDirectories(pointer.getParent());
            Path tmp = pointer.resolveSibling(pointer.getFileName() + ".tmp-" + UUID.randomUUID());
            try {
                Files.createSymbolicLink(tmp, pointer.getParent().relativize(blob));
            } catch (UnsupportedOperationException | FileSystemException noLinks) {
                Files.copy(blob, tmp);
            }
            moveAtomically(tmp, pointer);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot link " + pointer + " to " + blob + ": " + e.getMessage(), e);
        }
    }

    static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
