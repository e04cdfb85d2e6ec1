/**
 * The update feed read in plain Node with electron-updater's own code: its
 * GenericProvider finds and parses the channel file (`latest.yml`, `pilot-linux.yml`…
 * in electron-builder's format: version, files with url, sha512 and size), and
 * builder-util-runtime's HttpExecutor downloads the file and checks its sha512, as
 * the Electron app's autoUpdater does. Used where Electron is not (the tests, a
 * helpdesk check of the feed); it cannot install.
 */
import { request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CancellationToken,
  configureRequestOptions,
  configureRequestUrl,
  HttpExecutor,
  type UpdateInfo,
} from 'builder-util-runtime';
import { GenericProvider } from 'electron-updater/out/providers/GenericProvider.js';
import type { ResolvedUpdateFileInfo } from 'electron-updater/out/types.js';
import type { UpdateSettings } from '../../shared/policy';
import type { AvailableUpdate, Updater } from './update-scheduler';

/** builder-util-runtime's HTTP client on Node's http/https (what electron-builder itself uses). */
class NodeHttpExecutor extends HttpExecutor<ClientRequest> {
  createRequest(options: RequestOptions, callback: (response: IncomingMessage) => void): ClientRequest {
    return (options.protocol === 'https:' ? httpsRequest : httpRequest)(options, callback);
  }

  /** Downloads `url` to `destination`, verifying the sha512 when given (ERR_CHECKSUM_MISMATCH otherwise). */
  download(url: URL, destination: string, sha512: string | undefined): Promise<string> {
    const cancellationToken = new CancellationToken();
    return cancellationToken.createPromise<string>((resolve, reject, onCancel) => {
      const requestOptions: RequestOptions & { redirect: string } = { redirect: 'manual' };
      configureRequestUrl(url, requestOptions);
      configureRequestOptions(requestOptions);
      this.doDownload(
        requestOptions,
        {
          destination,
          options: { cancellationToken, sha512: sha512 ?? null },
          onCancel,
          callback: (error) => (error ? reject(error) : resolve(destination)),
          responseHandler: null,
        },
        0,
      );
    });
  }
}

/** Semver-ish comparison of `a` and `b` (major.minor.patch, a pre-release sorts first). */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const [core = '', pre = ''] = v.replace(/^v/, '').split('-', 2);
    return { parts: core.split('.').map((n) => Number.parseInt(n, 10) || 0), pre };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) {
    const d = (x.parts[i] ?? 0) - (y.parts[i] ?? 0);
    if (d !== 0) return d;
  }
  if (x.pre === y.pre) return 0;
  if (x.pre === '') return 1;
  if (y.pre === '') return -1;
  return x.pre < y.pre ? -1 : 1;
}

/** Options of {@link FeedUpdater}. */
export interface FeedUpdaterOptions {
  currentVersion: string;
  /** Whose channel file to read: `latest.yml` (win32), `latest-mac.yml`, `latest-linux.yml`. */
  platform: 'win32' | 'darwin' | 'linux';
  /** Where downloads go. */
  downloadDir: string;
}

/** An {@link Updater} on the feed alone: checks and verified downloads, no install. */
export class FeedUpdater implements Updater {
  private readonly executor = new NodeHttpExecutor();
  private provider: GenericProvider | undefined;
  private found: { info: UpdateInfo; file: ResolvedUpdateFileInfo } | undefined;
  /** The last downloaded, verified file. */
  downloadedFile: string | undefined;

  constructor(private readonly options: FeedUpdaterOptions) {}

  configure(feed: { url: string; channel: UpdateSettings['channel'] }): void {
    // `stable` is electron-builder's default channel, whose file is latest*.yml.
    const channel = feed.channel === 'stable' ? null : feed.channel;
    this.provider = new GenericProvider(
      { provider: 'generic', url: feed.url, ...(channel ? { channel } : {}) },
      // The part of AppUpdater the provider reads.
      { channel, isAddNoCacheQuery: false } as never,
      { isUseMultipleRangeRequest: false, platform: this.options.platform, executor: this.executor as never },
    );
  }

  async check(): Promise<AvailableUpdate | null> {
    if (!this.provider) throw new Error('The update feed is not configured.');
    const info = await this.provider.getLatestVersion();
    if (typeof info.version !== 'string' || !/^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/.test(info.version)) {
      throw new Error('The update feed names no valid version.');
    }
    if (compareVersions(info.version, this.options.currentVersion) <= 0) {
      this.found = undefined;
      return null;
    }
    const [file] = this.provider.resolveFiles(info);
    if (!file) throw new Error(`The feed lists no file for ${info.version}.`);
    this.found = { info, file };
    return { version: info.version };
  }

  async download(): Promise<void> {
    if (!this.found) throw new Error('No update to download: check first.');
    await mkdir(this.options.downloadDir, { recursive: true });
    const { file } = this.found;
    const name = decodeURIComponent(file.url.pathname.split('/').pop() ?? 'update');
    const destination = join(this.options.downloadDir, name);
    this.downloadedFile = undefined;
    try {
      await this.executor.download(file.url, destination, file.info.sha512);
    } catch (error) {
      // A file that failed its checksum is never left where an installer could pick it up.
      await rm(destination, { force: true });
      throw error;
    }
    this.downloadedFile = destination;
  }

  install(): void {
    throw new Error('The feed reader cannot install; the Electron app installs with electron-updater.');
  }
}
