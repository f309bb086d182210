/** Where the end-to-end servers listen: apart from `npm start`'s 3000/4010, so both can run at once. */
export const PORTAL_URL = "http://localhost:3100";
export const EMULATOR_URL = "http://127.0.0.1:4110";
export const SCREENSHOTS_DIR = "test-results/screenshots";
