/** Sent to brokers in ApiVersions v3+ (ClientSoftwareName / ClientSoftwareVersion). Kept equal to package.json's version by a test. */
export const CLIENT_SOFTWARE_NAME = 'ktool';
export const CLIENT_SOFTWARE_VERSION = '0.1.0';
