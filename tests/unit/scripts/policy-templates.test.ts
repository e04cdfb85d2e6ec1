/**
 * The policy templates in the repository are the ones the script generates from
 * src/shared/policy.ts (run `npm run generate` when this fails), the XML ones are
 * well-formed, every key is in each, and the examples are policies the app accepts
 * without a single problem.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import { parse as parsePlist } from 'plist';
import { describe, expect, it } from 'vitest';
import { resolvePolicy } from '../../../src/core/policy/policy';
import { readLinuxPolicy } from '../../../src/core/policy/policy-sources';
import { policyKeyNames } from '../../../src/shared/policy';
import { policyTemplates } from '../../../scripts/policy-templates';

const root = resolve(import.meta.dirname, '../../..');
const templates = policyTemplates(readFileSync(resolve(root, 'README.md'), 'utf8'));

describe('policy templates', () => {
  it('are current: each file equals what the script generates now', () => {
    for (const [path, content] of Object.entries(templates)) {
      expect(readFileSync(resolve(root, path), 'utf8'), `${path} is stale: run npm run generate`).toBe(content);
    }
  });

  it('name every policy key: ADMX (locked and recommended), ADML, the examples and the docs table', () => {
    const admx = templates['resources/policy/windows/calmline.admx']!;
    const adml = templates['resources/policy/windows/en-US/calmline.adml']!;
    for (const key of policyKeyNames) {
      expect(admx.split(`valueName="${key}"`).length - 1, key).toBe(2);
      expect(adml, key).toContain(`Registry value: ${key}`);
      expect(templates['resources/policy/linux/policy.json'], key).toContain(`"${key}"`);
      expect(templates['docs/policy-keys.md'], key).toContain(`| \`${key}\` |`);
      expect(templates['README.md'], key).toContain(`| \`${key}\` |`);
    }
  });

  it('are well-formed XML, and every ADMX string and presentation is defined in the ADML', () => {
    const errors: string[] = [];
    const parser = new DOMParser({ onError: (level, message) => errors.push(`${level}: ${message}`) });
    const admx = parser.parseFromString(templates['resources/policy/windows/calmline.admx']!, 'text/xml');
    const adml = parser.parseFromString(templates['resources/policy/windows/en-US/calmline.adml']!, 'text/xml');
    expect(errors).toEqual([]);
    const stringIds = new Set(Array.from(adml.getElementsByTagName('string')).map((node) => node.getAttribute('id')));
    const presentationIds = new Set(
      Array.from(adml.getElementsByTagName('presentation')).map((node) => node.getAttribute('id')),
    );
    const text = templates['resources/policy/windows/calmline.admx']!;
    for (const [, id] of text.matchAll(/\$\(string\.([\w]+)\)/g)) expect(stringIds, id).toContain(id);
    for (const [, id] of text.matchAll(/\$\(presentation\.([\w]+)\)/g)) expect(presentationIds, id).toContain(id);
    expect(admx.getElementsByTagName('policy').length).toBe(2 * policyKeyNames.length);
  });

  it('give example policies the app reads without a problem, on Linux and macOS', async () => {
    const linux = await readLinuxPolicy({ path: resolve(root, 'resources/policy/linux/policy.json') });
    const fromLinux = resolvePolicy(linux, { username: 'anna' });
    expect(fromLinux.issues).toEqual([]);
    expect(fromLinux.values.size).toBe(policyKeyNames.length);
    const profile = parsePlist(templates['resources/policy/macos/com.calmline.app.mobileconfig']!) as {
      PayloadContent: Array<Record<string, unknown>>;
    };
    const { PayloadDisplayName, PayloadIdentifier, PayloadType, PayloadUUID, PayloadVersion, ...settings } =
      profile.PayloadContent[0]!;
    expect(PayloadType).toBe('com.calmline.app');
    expect([PayloadDisplayName, PayloadIdentifier, PayloadUUID, PayloadVersion]).not.toContain(undefined);
    const { Recommended, ...locked } = settings;
    const fromMac = resolvePolicy(
      [
        { source: 'profile', level: 'locked', values: locked },
        { source: 'profile (Recommended)', level: 'recommended', values: Recommended as Record<string, unknown> },
      ],
      { username: 'anna' },
    );
    expect(fromMac.issues).toEqual([]);
    expect(fromMac.values.get('account.sipUriTemplate')?.value).toBe('sip:anna@pbx.example.com');
  });
});
