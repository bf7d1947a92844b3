/** What a browser without WebRTC is told (pure, so tests in Node can name it too). */

/** The heading of the chat screen, also what tests and assistive technology find the state by. */
export const NO_PEERS_HEADING = 'This browser cannot connect to people nearby';
