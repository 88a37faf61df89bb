package org.loralab.lora.hf.hub;

import java.net.URI;

/**
 * What a HEAD on {@code resolve/<commit>/<file>} says about one file: where to get its bytes, its ETag
 * (the sha256 for LFS files, the git blob id otherwise), the commit and the size.
 */
record RemoteFile(String file, URI downloadUrl, String etag, String commit, long size) {
    private static final java.util.regex.Pattern SHA256 = java.util.regex.Pattern.compile("[0-9a-f]{64}");

    /** LFS files are named by their sha256, which is what their bytes are checked against. */
    boolean etagIsSha256() {
        return SHA256.matcher(etag).matches();
    }
}
