package org.loralab.lora.hf.hub;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.List;

/** The answer of {@code GET /api/models/<repo>/revision/<rev>}: the commit and the repository's files. */
record RepoInfo(String sha, List<String> files) {

    static RepoInfo parse(String json, String what) {
        try {
            JsonElement root = JsonParser.parseString(json);
            if (!root.isJsonObject()) {
                throw new JsonParseException("not an object");
            }
            JsonObject o = root.getAsJsonObject();
            JsonElement sha = o.get("sha");
            if (sha == null || !sha.isJsonPrimitive() || !RepoCache.isCommit(sha.getAsString())) {
                throw new HubException(what + ": the Hub's answer has no 40-hex 'sha'; check HF_ENDPOINT");
            }
            List<String> files = new ArrayList<>();
            JsonElement siblings = o.get("siblings");
            if (siblings != null && siblings.isJsonArray()) {
                for (JsonElement s : (JsonArray) siblings) {
                    JsonElement name = s.isJsonObject() ? s.getAsJsonObject().get("rfilename") : null;
                    if (name == null || !name.isJsonPrimitive()) {
                        throw new HubException(what + ": a 'siblings' entry has no 'rfilename'; check HF_ENDPOINT");
                    }
                    files.add(RepoCache.checkFilename(name.getAsString()));
                }
            }
            return new RepoInfo(sha.getAsString(), List.copyOf(files));
        } catch (JsonParseException | IllegalStateException | UnsupportedOperationException e) {
            throw new HubException(what + ": the Hub's answer is not the expected JSON (" + e.getMessage()
                    + "); check HF_ENDPOINT");
        }
    }
}
