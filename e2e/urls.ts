/**
 * Where the end-to-end servers listen: apart from `npm start`'s 3000/4010, so both can run at once.
 * E2E_PORTAL_PORT / E2E_EMULATOR_PORT move them when another checkout's tests run on the same machine.
 */
const portalPort = Number(process.env.E2E_PORTAL_PORT ?? 3100);
const emulatorPort = Number(process.env.E2E_EMULATOR_PORT ?? 4110);
export const PORTAL_URL = `http://localhost:${portalPort}`;
export const EMULATOR_URL = `http://127.0.0.1:${emulatorPort}`;
export const EMULATOR_PORT = emulatorPort;
export const SCREENSHOTS_DIR = "test-results/screenshots";
/** SIGN_IN_START_LIMIT of the portal under test: above the journeys' own sign-ins, all from 127.0.0.1. */
export const E2E_SIGN_IN_START_LIMIT = 100;
