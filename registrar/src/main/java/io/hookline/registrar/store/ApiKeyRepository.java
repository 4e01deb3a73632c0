package io.hookline.registrar.store;

import com.fasterxml.jackson.core.type.TypeReference;
import io.hookline.common.subscription.ApiKeyRecord;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.StatementContext;

/** The {@code api_keys} table; only the SHA-256 of each key is stored. */
public final class ApiKeyRepository {
    private static final String COLUMNS = "id, tenant, scopes, key_hash, description, created_at";
    private static final TypeReference<LinkedHashSet<String>> SCOPES = new TypeReference<>() {
    };

    public void insert(Handle h, StoredApiKey key) {
        ApiKeyRecord r = key.record();
        h.createUpdate("INSERT INTO api_keys (id, tenant, scopes, key_hash, description, created_at) "
                        + "VALUES (:id, :tenant, CAST(:scopes AS jsonb), :hash, :description, :createdAt)")
                .bind("id", r.id())
                .bind("tenant", r.tenant())
                .bind("scopes", JsonColumns.write(r.scopes()))
                .bind("hash", r.keyHash())
                .bind("description", key.description())
                .bind("createdAt", JsonColumns.timestamp(r.createdAt()))
                .execute();
    }

    public Optional<StoredApiKey> find(Handle h, String id) {
        return h.createQuery("SELECT " + COLUMNS + " FROM api_keys WHERE id = :id")
                .bind("id", id)
                .map(ApiKeyRepository::map)
                .findFirst();
    }

    public Optional<StoredApiKey> lock(Handle h, String id) {
        return h.createQuery("SELECT " + COLUMNS + " FROM api_keys WHERE id = :id FOR UPDATE")
                .bind("id", id)
                .map(ApiKeyRepository::map)
                .findFirst();
    }

    public boolean delete(Handle h, String id) {
        return h.createUpdate("DELETE FROM api_keys WHERE id = :id").bind("id", id).execute() == 1;
    }

    public List<StoredApiKey> list(Handle h, String tenant, String after, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM api_keys WHERE true");
        if (tenant != null) {
            sql.append(" AND tenant = :tenant");
        }
        if (after != null) {
            sql.append(" AND id > :after");
        }
        sql.append(" ORDER BY id LIMIT :limit");
        Query query = h.createQuery(sql.toString()).bind("limit", limit);
        if (tenant != null) {
            query.bind("tenant", tenant);
        }
        if (after != null) {
            query.bind("after", after);
        }
        return query.map(ApiKeyRepository::map).list();
    }

    public List<StoredApiKey> all(Handle h) {
        return h.createQuery("SELECT " + COLUMNS + " FROM api_keys ORDER BY id").map(ApiKeyRepository::map).list();
    }

    private static StoredApiKey map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new StoredApiKey(new ApiKeyRecord(rs.getString("id"), rs.getString("tenant"),
                JsonColumns.read(rs, "scopes", SCOPES), rs.getString("key_hash"), JsonColumns.instant(rs, "created_at")),
                rs.getString("description"));
    }
}
