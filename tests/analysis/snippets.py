"""Real code that more than one test module of the analysis reads."""

# ConvNeXt's optim_factory.py (facebookresearch/ConvNeXt): `model.parameters()` only under
# `filter_bias_and_bn=False`, param groups split by ndim otherwise
CONVNEXT = """\
import torch.optim as optim


def get_parameter_groups(model, weight_decay):
    decay, no_decay = [], []
    for name, param in model.named_parameters():
        if param.ndim <= 1 or name.endswith(".bias"):
            no_decay.append(param)
        else:
            decay.append(param)
    return [{"params": no_decay, "weight_decay": 0.0}, {"params": decay, "weight_decay": weight_decay}]


def create_optimizer(args, model, filter_bias_and_bn=True):
    weight_decay = args.weight_decay
    if filter_bias_and_bn:
        parameters = get_parameter_groups(model, weight_decay)
        weight_decay = 0.0
    else:
        parameters = model.parameters()
    return optim.AdamW(parameters, lr=args.lr, weight_decay=weight_decay)
"""
