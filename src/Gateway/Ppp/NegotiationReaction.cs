namespace Gateway.Ppp;

/// <summary>What a policy decides after the peer Nak'd or Rejected our Configure-Request.</summary>
public enum NegotiationReaction
{
    /// <summary>Our options were adjusted; send a new Configure-Request.</summary>
    Continue,
    /// <summary>The peer refuses something we cannot do without (e.g. authentication): close the layer.</summary>
    Fail,
}
