/**
 * CSRF prevention: a browser sends a cross-site POST without asking first (no CORS preflight)
 * only with a "simple" content type — form posts and text/plain. GraphQL clients send JSON,
 * which needs a preflight and so the CORS origin check; the simple types are refused before
 * parsing, so a forged form can never run an operation with the victim's cookies. GET runs
 * queries only (yoga refuses mutations over GET), which change nothing.
 */
import type { Plugin } from 'graphql-yoga';

const SIMPLE_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

export function useCsrfPrevention(): Plugin {
  return {
    onRequest({ request, endResponse }) {
      if (request.method !== 'POST') return;
      const type = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      if (type === '' || SIMPLE_TYPES.includes(type)) {
        endResponse(
          new Response(
            JSON.stringify({
              errors: [
                {
                  message: `POST bodies must be sent as application/json (or application/graphql+json); "${type || 'no content type'}" is refused to prevent cross-site request forgery.`,
                  extensions: { code: 'UNSUPPORTED_MEDIA_TYPE' },
                },
              ],
            }),
            { status: 415, headers: { 'content-type': 'application/json; charset=utf-8' } },
          ),
        );
      }
    },
  };
}
