package io.hookline.replayer.api;

import io.hookline.common.http.ListCursor;
import io.hookline.common.http.HttpRequest;
import io.hookline.common.http.HttpResponse;
import io.hookline.common.http.ProblemException;
import io.hookline.common.http.Router;
import io.hookline.common.security.ApiKeyDirectory;
import io.hookline.common.security.Principal;
import io.hookline.common.security.Scope;
import io.hookline.database.ServiceDatabase;
import io.hookline.replayer.store.DeadLetterRepository;
import io.hookline.replayer.store.LetterFilter;
import io.hookline.replayer.store.StoredLetter;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/dead-letters}, {@code GET|DELETE /v1/dead-letters/{id}}. Every route needs the {@code replay}
 * scope; a tenant key sees its own tenant's letters only, others answer 404.
 */
public final class DeadLetterRoutes {
    private final ApiKeyDirectory directory;
    private final ServiceDatabase database;
    private final DeadLetterRepository letters;

    public DeadLetterRoutes(ApiKeyDirectory directory, ServiceDatabase database, DeadLetterRepository letters) {
        this.directory = directory;
        this.database = database;
        this.letters = letters;
    }

    public void register(Router router) {
        router.get("/v1/dead-letters", this::list);
        router.get("/v1/dead-letters/{id}", this::get);
        router.delete("/v1/dead-letters/{id}", this::discard);
    }

    private HttpResponse list(HttpRequest request) {
        Principal principal = directory.require(request, Scope.REPLAY);
        LetterFilter filter = LetterQuery.fromQuery(request, principal);
        ListCursor.PageRequest page = ListCursor.read(request);
        List<StoredLetter> rows = database.read(h -> letters.list(h, filter, page.after(), page.limit() + 1));
        return HttpResponse.json(200, ListCursor.page(rows, page.limit(), StoredLetter::id, LetterViews::summary));
    }

    private HttpResponse get(HttpRequest request) {
        Principal principal = directory.require(request, Scope.REPLAY);
        String id = request.pathParam("id");
        Map<String, Object> view = database.read(h -> {
            StoredLetter letter = visible(principal, id, letters.find(h, id).orElse(null));
            return LetterViews.detail(letter, letters.auditTrail(h, id));
        });
        return HttpResponse.json(200, view);
    }

    /** Discards a dead letter (kept, marked, audited); discarding it again changes nothing. */
    private HttpResponse discard(HttpRequest request) {
        Principal principal = directory.require(request, Scope.REPLAY);
        String id = request.pathParam("id");
        database.transaction(h -> {
            StoredLetter letter = visible(principal, id, letters.findForUpdate(h, id).orElse(null));
            switch (letter.state()) {
                case StoredLetter.DEAD -> letters.discard(h, letter, actor(principal));
                case StoredLetter.DISCARDED -> { } // idempotent
                case StoredLetter.REPLAYING -> throw ProblemException.conflict("dead letter " + id
                        + " is being replayed by job " + letter.replayJobId() + "; cancel the job first");
                default -> throw ProblemException.conflict("dead letter " + id + " was already replayed at "
                        + letter.replayedAt() + " (job " + letter.replayJobId() + ")");
            }
            return null;
        });
        return HttpResponse.noContent();
    }

    static StoredLetter visible(Principal principal, String id, StoredLetter letter) {
        if (letter == null || !principal.canSee(letter.tenant())) {
            throw ProblemException.notFound("no dead letter " + id);
        }
        return letter;
    }

    /** Who acted, as recorded in the audit trail: {@code admin} or the tenant key's id. */
    static String actor(Principal principal) {
        return principal.admin() ? "admin" : "key " + principal.keyId() + " (tenant " + principal.tenant() + ")";
    }
}
