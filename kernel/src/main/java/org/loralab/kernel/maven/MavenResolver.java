package org.loralab.kernel.maven;

import eu.maveniverse.maven.mima.context.Context;
import eu.maveniverse.maven.mima.context.ContextOverrides;
import eu.maveniverse.maven.mima.context.Runtime;
import eu.maveniverse.maven.mima.context.Runtimes;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.collection.CollectRequest;
import org.eclipse.aether.graph.Dependency;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.resolution.ArtifactResult;
import org.eclipse.aether.resolution.DependencyRequest;
import org.eclipse.aether.resolution.DependencyResolutionException;
import org.eclipse.aether.resolution.DependencyResult;
import org.loralab.kernel.errors.MagicException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Resolves Maven coordinates with MIMA (Maven Resolver, ~/.m2/repository and ~/.m2/settings.xml), all coordinates
 * of one call in ONE request so versions are mediated across them, transitively, online or offline.
 */
public final class MavenResolver {

    private final Map<String, RemoteRepository> extraRepositories = new LinkedHashMap<>();
    private boolean offline;

    public MavenResolver(boolean offline) {
        this.offline = offline;
    }

    public synchronized void setOffline(boolean offline) {
        this.offline = offline;
    }

    public synchronized boolean isOffline() {
        return offline;
    }

    public synchronized void addRepository(String id, String url) {
        if (id.isBlank() || !(url.startsWith("http://") || url.startsWith("https://") || url.startsWith("file:"))) {
            throw new MagicException("usage: %mavenRepo ID URL (URL starts with https://, http:// or file:)");
        }
        extraRepositories.put(id, new RemoteRepository.Builder(id, "default", url).build());
    }

    public synchronized List<RemoteRepository> extraRepositories() {
        return List.copyOf(extraRepositories.values());
    }

    /**
     * Resolves {@code g:a[:ext[:classifier]]:v} coordinates and their runtime dependencies.
     *
     * @param moreRepositories URLs (e.g. from {@code --from}) used for this call only
     * @return the jar files, dependencies included, in resolution order
     */
    public List<Path> resolve(List<String> coordinates, List<String> moreRepositories, boolean forceOffline) {
        List<Dependency> roots = new ArrayList<>();
        for (String coordinate : coordinates) {
            try {
                roots.add(new Dependency(new DefaultArtifact(coordinate), "runtime"));
            } catch (IllegalArgumentException e) {
                throw new MagicException("not a Maven coordinate: '" + coordinate
                        + "'; write groupId:artifactId[:extension[:classifier]]:version");
            }
        }
        List<RemoteRepository> repositories = new ArrayList<>(extraRepositories());
        for (int i = 0; i < moreRepositories.size(); i++) {
            repositories.add(new RemoteRepository.Builder("from-" + i, "default", moreRepositories.get(i)).build());
        }
        ContextOverrides overrides = ContextOverrides.create()
                .withUserSettings(true)
                .offline(forceOffline || isOffline())
                .repositories(repositories)
                .addRepositoriesOp(ContextOverrides.AddRepositoriesOp.APPEND)
                .build();
        Runtime runtime = Runtimes.INSTANCE.getRuntime();
        try (Context context = runtime.create(overrides)) {
            CollectRequest collect = new CollectRequest();
            collect.setDependencies(roots);
            collect.setRepositories(context.remoteRepositories());
            DependencyResult result = context.repositorySystem()
                    .resolveDependencies(context.repositorySystemSession(), new DependencyRequest(collect, null));
            List<Path> jars = new ArrayList<>();
            for (ArtifactResult artifact : result.getArtifactResults()) {
                if (artifact.getArtifact() != null && artifact.getArtifact().getFile() != null) {
                    jars.add(artifact.getArtifact().getFile().toPath());
                }
            }
            return jars;
        } catch (DependencyResolutionException e) {
            throw new MagicException("cannot resolve " + String.join(" ", coordinates) + ": " + rootMessage(e)
                    + (forceOffline || isOffline() ? " (offline mode: only ~/.m2/repository is used)" : ""));
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String message = t.getMessage() == null ? t.toString() : t.getMessage();
        return message.lines().findFirst().orElse(message);
    }
}
