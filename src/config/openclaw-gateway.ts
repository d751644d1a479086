import { RunnerError } from '../shared/errors.js';
import { openClawGatewaySettings } from './openclaw-config-file.js';
import { nonEmpty, openClawConfigPath } from './openclaw-workspace.js';

/**
 * Where the runner asks whether the OpenClaw gateway on this host is live: `gateway.url` in the
 * runner's config when set, else the gateway's own settings by OpenClaw's rule (docs/gateway):
 * port `$OPENCLAW_GATEWAY_PORT`, else `gateway.port` in OpenClaw's config, else 18789; HTTPS when
 * `gateway.tls.enabled`; always 127.0.0.1 (see `openClawGatewaySettings`). So a gateway moved to
 * another port is probed where it is, with nothing to set twice.
 */

/** OpenClaw's default gateway port. */
export const DEFAULT_GATEWAY_PORT = 18789;

/** The URL to probe and what decided it, for a person (doctor, an error). */
export interface GatewayTarget {
  url: string;
  /** `gateway.url in the runner config`, `gateway.port in /…/openclaw.json`, `$OPENCLAW_GATEWAY_PORT`, `OpenClaw's default port`. */
  from: string;
}

/**
 * The gateway's liveness URL. Reads OpenClaw's config unless the runner's names the URL; a config
 * that exists but is unusable (or a `$OPENCLAW_GATEWAY_PORT` that is no port) throws
 * `config.invalid` naming it.
 */
export function gatewayTarget(configuredUrl: string | undefined, env: NodeJS.ProcessEnv = process.env): GatewayTarget {
  if (configuredUrl !== undefined) return { url: configuredUrl, from: 'gateway.url in the runner config' };
  const file = openClawConfigPath(env);
  const settings = openClawGatewaySettings(file);
  const scheme = settings.tls ? 'https' : 'http';
  const fromEnv = nonEmpty(env.OPENCLAW_GATEWAY_PORT);
  if (fromEnv !== undefined) {
    if (!/^\d+$/.test(fromEnv) || Number(fromEnv) < 1 || Number(fromEnv) > 65_535) {
      throw new RunnerError('config.invalid', `$OPENCLAW_GATEWAY_PORT must be a port number (1-65535), got ${JSON.stringify(fromEnv)}`);
    }
    return { url: healthUrl(scheme, Number(fromEnv)), from: '$OPENCLAW_GATEWAY_PORT' };
  }
  if (settings.port !== undefined) return { url: healthUrl(scheme, settings.port), from: `gateway.port in ${file}` };
  return { url: healthUrl(scheme, DEFAULT_GATEWAY_PORT), from: "OpenClaw's default port" };
}

function healthUrl(scheme: string, port: number): string {
  return `${scheme}://127.0.0.1:${port}/health`;
}
