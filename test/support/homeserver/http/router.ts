import { invalidParam, unrecognized } from '../errors.js';
import type { Reply, RequestContext } from './context.js';

export type Handler = (ctx: RequestContext) => Reply | Promise<Reply>;

export interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: Handler;
  /** Uploads may be as large as the upload limit; other bodies are JSON. */
  body: 'json' | 'upload';
}

/**
 * A route from a template: `:name` matches one path segment, `:name?` an optional last segment
 * (which may be empty, as an empty state key is), and `{v3|r0}` either literal.
 */
export function route(
  method: string,
  template: string,
  handler: Handler,
  body: Route['body'] = 'json',
): Route {
  const names: string[] = [];
  const source = template
    .split('/')
    .map((segment, index) => {
      if (index === 0) return '';
      const optional = /^:(\w+)\?$/.exec(segment);
      if (optional?.[1]) {
        names.push(optional[1]);
        return '(?:/([^/]*))?';
      }
      const named = /^:(\w+)$/.exec(segment);
      if (named?.[1]) {
        names.push(named[1]);
        return '/([^/]+)';
      }
      const alternatives = /^\{(.+)\}$/.exec(segment);
      if (alternatives?.[1]) return `/(?:${alternatives[1]})`;
      return '/' + segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return { method, pattern: new RegExp(`^${source}$`), names, handler, body };
}

export type RouteMatch = { route: Route; params: Record<string, string> };

export class Router {
  constructor(private readonly routes: Route[]) {}

  /** The route for this request; throws 404 or 405 M_UNRECOGNIZED, as Synapse answers. */
  match(method: string, path: string): RouteMatch {
    let pathKnown = false;
    for (const candidate of this.routes) {
      const found = candidate.pattern.exec(path);
      if (!found) continue;
      pathKnown = true;
      if (candidate.method !== method) continue;
      return { route: candidate, params: decodeParams(candidate.names, found.slice(1)) };
    }
    throw unrecognized(pathKnown ? 405 : 404);
  }
}

function decodeParams(names: string[], values: Array<string | undefined>): Record<string, string> {
  const params: Record<string, string> = {};
  names.forEach((name, index) => {
    const value = values[index];
    if (value === undefined) return;
    try {
      params[name] = decodeURIComponent(value);
    } catch {
      throw invalidParam(`path parameter ${name} is not valid percent-encoding: "${value}"`);
    }
  });
  return params;
}
