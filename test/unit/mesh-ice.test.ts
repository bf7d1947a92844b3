import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_MESH_POLICY } from '../../app/core/mesh-policy.ts';
import type { IceServer, PeerId } from '../../app/core/protocol.ts';
import type { MeshEvents } from '../../app/net/mesh.ts';
import { meshOnFakeLinks } from './fake-mesh.ts';

const ME = 'mmmmmmmmmmmmmmmmmmmmmm' as PeerId;
const ANA = 'aaaaaaaaaaaaaaaaaaaaaa' as PeerId;
const BEN = 'bbbbbbbbbbbbbbbbbbbbbb' as PeerId;
const CAL = 'cccccccccccccccccccccc' as PeerId;
const OFFER = { description: { type: 'offer', sdp: 'v=0' } };
const TURN_A: IceServer[] = [{ urls: ['turn:turn.example:3478'], username: '100:m', credential: 'a' }];
const TURN_B: IceServer[] = [{ urls: ['turn:turn.example:3478'], username: '200:m', credential: 'b' }];

function meshWithFakeLinks(events: Partial<MeshEvents> = {}): ReturnType<typeof meshOnFakeLinks> {
  return meshOnFakeLinks({ policy: DEFAULT_MESH_POLICY, events });
}

describe('mesh ICE servers and TURN trouble', () => {
  test('new links get the latest list; open links are given a changed list once', () => {
    const { mesh, links } = meshWithFakeLinks();
    mesh.setRelayIdentity(ME, TURN_A);
    mesh.receiveSignal(ANA, OFFER);
    assert.deepEqual(links[0]?.options.iceServers, TURN_A);
    mesh.setIceServers(TURN_B);
    mesh.setIceServers(TURN_B);
    assert.deepEqual(links[0]?.iceServerUpdates, [TURN_B], 'the same list again changes nothing');
    mesh.receiveSignal(BEN, OFFER);
    assert.deepEqual(links[1]?.options.iceServers, TURN_B);
    mesh.dispose();
  });

  test('says the TURN server is why peers are unreachable, "refused" before "unreachable", until they connect', () => {
    const { mesh, links } = meshWithFakeLinks();
    mesh.setRelayIdentity(ME, TURN_A);
    mesh.receiveSignal(ANA, OFFER);
    links[0]?.fail();
    assert.deepEqual(mesh.unreachable(), [ANA]);
    assert.equal(mesh.turnTrouble(), null, 'a failure without a TURN error is not TURN trouble');
    mesh.receiveSignal(BEN, OFFER);
    links[1]?.fail('unreachable');
    assert.equal(mesh.turnTrouble(), 'unreachable');
    mesh.receiveSignal(ANA, OFFER);
    links[2]?.fail('refused');
    assert.equal(mesh.turnTrouble(), 'refused');
    mesh.receiveSignal(ANA, OFFER);
    links[3]?.options.onOpen();
    assert.deepEqual(mesh.unreachable(), [BEN]);
    assert.equal(mesh.turnTrouble(), 'unreachable', 'Ana connected after all');
    mesh.dispose();
  });

  test('a peer the relay says has left is no longer unreachable, and the notice is told', () => {
    let linksChangedCount = 0;
    const { mesh, links } = meshWithFakeLinks({
      onLinksChanged: () => {
        linksChangedCount += 1;
      },
    });
    mesh.setRelayIdentity(ME, TURN_A);
    mesh.receiveSignal(ANA, OFFER);
    mesh.receiveSignal(BEN, OFFER);
    links[0]?.fail('refused');
    links[1]?.fail();
    assert.deepEqual(mesh.unreachable(), [ANA, BEN]);
    const countBefore = linksChangedCount;
    mesh.removeCandidate(ANA);
    assert.deepEqual(mesh.unreachable(), [BEN]);
    assert.equal(mesh.turnTrouble(), null, 'only Ana failed because of TURN');
    assert.equal(linksChangedCount, countBefore + 1);
    mesh.removeCandidate(ANA);
    mesh.removeCandidate(CAL);
    assert.equal(linksChangedCount, countBefore + 1, 'peers that were not unreachable change nothing');
    mesh.receiveSignal(CAL, OFFER);
    mesh.removeCandidate(CAL);
    links[2]?.fail();
    assert.deepEqual(mesh.unreachable(), [BEN], 'a link to someone who has left that fails later does not name them');
    mesh.dispose();
  });
});
