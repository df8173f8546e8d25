package io.proclens.fs;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The fixed directory tree: every directory on the way to a {@link VirtualFile} and the files themselves,
 * numbered once at start (root = 1). A directory may also show a host directory's entries
 * ({@link VirtualFile#MIRRORED}). Immutable after construction, so any thread may read it.
 */
final class Tree {
    /** A directory or a file; a file knows which virtual file it serves, a mirroring directory its host path. */
    record Node(long ino, String name, long parent, VirtualFile file, String mirror, List<Node> children) {
        boolean directory() {
            return file == null;
        }

        NodeAttr attr() {
            if (!directory()) return NodeAttr.virtualFile(ino, file.permissions());
            // A directory's links: itself, its entry in the parent, and each subdirectory's "..".
            return NodeAttr.directory(ino, 2 + (int) children.stream().filter(Node::directory).count());
        }
    }

    private final List<Node> byIno = new ArrayList<>(); // index = ino - 1
    private final Map<Long, Map<String, Node>> childrenByName = new HashMap<>();

    Tree(List<VirtualFile> files) {
        this(files, List.of());
    }

    /** With {@code directories} (paths below the mount) made too, whether or not a file lies below them. */
    Tree(List<VirtualFile> files, List<String> directories) {
        add(null, "", null);
        for (VirtualFile file : files) {
            String[] parts = file.path().split("/");
            Node dir = byIno.getFirst();
            for (int i = 0; i < parts.length - 1; i++) {
                Node next = child(dir.ino(), parts[i]);
                dir = next != null ? next : add(dir, parts[i], null);
            }
            add(dir, parts[parts.length - 1], file);
        }
        for (String path : directories) {
            Node dir = byIno.getFirst();
            for (String part : path.split("/")) {
                Node next = child(dir.ino(), part);
                dir = next != null ? next : add(dir, part, null);
            }
        }
    }

    private Node add(Node parent, String name, VirtualFile file) {
        String path = parent == null ? "" : (parent.name().isEmpty() ? "" : pathOf(parent) + "/") + name;
        Node node = new Node(byIno.size() + 1L, name, parent == null ? Filesystem.ROOT : parent.ino(), file,
                file == null ? VirtualFile.mirrorOf(path) : null, file == null ? new ArrayList<>() : List.of());
        byIno.add(node);
        if (parent != null) {
            parent.children().add(node);
            childrenByName.computeIfAbsent(parent.ino(), k -> new HashMap<>()).put(name, node);
        }
        return node;
    }

    private String pathOf(Node node) {
        StringBuilder path = new StringBuilder(node.name());
        for (Node at = get(node.parent()); at != null && at.ino() != Filesystem.ROOT; at = get(at.parent())) {
            path.insert(0, at.name() + "/");
        }
        return path.toString();
    }

    /** The node of {@code ino}, or null. */
    Node get(long ino) {
        return ino >= 1 && ino <= byIno.size() ? byIno.get((int) (ino - 1)) : null;
    }

    /** The child {@code name} of directory {@code parent}, or null. */
    Node child(long parent, String name) {
        return childrenByName.getOrDefault(parent, Map.of()).get(name);
    }

    List<Node> children(Node dir) {
        return Collections.unmodifiableList(dir.children());
    }
}
