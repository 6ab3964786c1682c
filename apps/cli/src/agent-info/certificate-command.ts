import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { describeCertificate, InvalidCertificateError, type CertificateInfo } from '@spillway/delivery';
import type { Command } from '../cli/command.ts';
import type { CliContext, CommandResult } from '../cli/context.ts';
import { UsageError } from '../cli/errors.ts';
import { getFromAgent } from './agent-client.ts';

type CertificateCommand = Extract<Command, { name: 'certificate' }>;

/**
 * `certificate`: the client certificate the delivery agent presents to mTLS endpoints, as its
 * public endpoint serves it, or read from a certificate file (`--cert-file`, no agent needed).
 */
export async function runCertificate(context: CliContext, command: CertificateCommand): Promise<CommandResult> {
  const info = command.certFile === undefined ? await fromAgent(command.agentUrl) : await fromFile(context, command.certFile);
  if (command.pemOnly) return { text: info.pem.trimEnd().split('\n'), json: { pem: info.pem } };
  return { text: certificateLines(info), json: info };
}

async function fromAgent(agentUrl: string): Promise<CertificateInfo> {
  const answer = await getFromAgent(agentUrl, 'certificate');
  return JSON.parse(answer.text) as CertificateInfo;
}

async function fromFile(context: CliContext, certFile: string): Promise<CertificateInfo> {
  const path = isAbsolute(certFile) ? certFile : join(context.cwd, certFile);
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    throw new UsageError(`--cert-file ${certFile} cannot be read${typeof code === 'string' ? ` (${code})` : ''}`, 'certificate');
  }
  try {
    const { pem: certificate, commonName, subjectAltNames, validFrom, validTo, fingerprintSha256, subject, issuer, serialNumber } = describeCertificate(pem);
    return { pem: certificate, commonName, subjectAltNames, validFrom, validTo, fingerprintSha256, subject, issuer, serialNumber };
  } catch (error) {
    if (error instanceof InvalidCertificateError) throw new UsageError(`--cert-file ${certFile} holds no PEM certificate`, 'certificate');
    throw error;
  }
}

export function certificateLines(info: CertificateInfo): string[] {
  const oneLine = (name: string) => name.split('\n').join(', ');
  return [
    `common name:      ${info.commonName ?? '(none)'}`,
    `alt names:        ${info.subjectAltNames.join(', ') || '(none)'}`,
    `subject:          ${oneLine(info.subject)}`,
    `issuer:           ${oneLine(info.issuer)}`,
    `serial number:    ${info.serialNumber}`,
    `valid from:       ${info.validFrom}`,
    `valid to:         ${info.validTo}`,
    `SHA-256:          ${info.fingerprintSha256}`,
    '',
    ...info.pem.trimEnd().split('\n'),
  ];
}
