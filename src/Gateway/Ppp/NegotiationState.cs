namespace Gateway.Ppp;

/// <summary>The ten states of the RFC 1661 4.2 option negotiation automaton (numbered as in the RFC table).</summary>
public enum NegotiationState
{
    Initial = 0,
    Starting = 1,
    Closed = 2,
    Stopped = 3,
    Closing = 4,
    Stopping = 5,
    RequestSent = 6,
    AckReceived = 7,
    AckSent = 8,
    Opened = 9,
}
