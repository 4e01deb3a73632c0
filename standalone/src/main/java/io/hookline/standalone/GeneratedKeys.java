package io.hookline.standalone;

import io.hookline.common.config.ConfigException;
import io.hookline.common.security.ApiKeys;
import io.hookline.common.security.SecretCipher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Supplier;

/** Keys the standalone mode makes up on first start and keeps in its data directory (owner-readable only). */
final class GeneratedKeys {
    private GeneratedKeys() {
    }

    static String adminKey(Path dataDir, String configured) {
        return configured != null ? configured : readOrCreate(dataDir.resolve("admin-key"), ApiKeys::generate);
    }

    static String secretKey(Path dataDir, String configured) {
        String key = configured != null ? configured : readOrCreate(dataDir.resolve("secret-key"), SecretCipher::generateKey);
        try {
            SecretCipher.fromBase64Key(key);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("HOOKLINE_SECRET_KEY", e.getMessage());
        }
        return key;
    }

    private static String readOrCreate(Path file, Supplier<String> generator) {
        try {
            if (Files.exists(file)) {
                return Files.readString(file, StandardCharsets.UTF_8).trim();
            }
            Files.createDirectories(file.getParent());
            String value = generator.get();
            Files.writeString(file, value + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system; the file keeps the directory's default permissions
            }
            return value;
        } catch (IOException e) {
            throw new ConfigException("HOOKLINE_DATA_DIR", "cannot read or write " + file + ": " + e.getMessage());
        }
    }
}
